from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pipeline.cli import app
from pipeline.errors import CodebookError
from tests.cli.commands import runner
from tests.conftest import REPO


def changing_below(db: Path, top: int) -> int:
    """How many themes ranked below the `top` most raised are new, emerging, spreading or fading."""
    from pipeline import queries
    from pipeline.analysis.statistics import CHANGING
    from pipeline.storage import connect

    with connect(db, read_only=True) as con:
        ranked = queries.theme_overview(con)
    return int(ranked.iloc[top:]["status"].isin(CHANGING).sum())


def test_export_commands_write_each_format(themed_db: Path, tmp_path: Path) -> None:
    db = ["--db", str(themed_db)]
    qdpx = runner.invoke(app, ["export", "qdpx", "--out", str(tmp_path / "f.qdpx"), *db, "--json"])
    assert qdpx.exit_code == 0, qdpx.output
    assert json.loads(qdpx.output)["sources"] == 24
    for args in (
        ["export", "codebook", "--out", str(tmp_path / "c.qdc")],
        ["export", "csv", "--out", str(tmp_path / "csv"), "--region", "Wales"],
        ["export", "parquet", "--out", str(tmp_path / "parquet")],
        ["export", "report", "--out", str(tmp_path / "r.md"), "--top", "3"],
    ):
        result = runner.invoke(app, [*args, *db])
        assert result.exit_code == 0, result.output
    assert (tmp_path / "csv" / "passages.csv").read_text().count("Wales") > 5
    # A section for each of the 3 most raised themes and each changing theme below them.
    assert (tmp_path / "r.md").read_text().count("\n### ") == 3 + changing_below(themed_db, 3)
    assert len(list((tmp_path / "parquet").glob("*.parquet"))) == 6


def test_import_codebook_reads_a_qdc_back(
    themed_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    codebook = tmp_path / "codebook.yaml"
    codebook.write_text((REPO / "models" / "codebook.yaml").read_text())
    monkeypatch.setenv("FINDINGS_CODEBOOK", str(codebook))
    qdc = tmp_path / "c.qdc"
    runner.invoke(app, ["export", "codebook", "--out", str(qdc), "--db", str(themed_db)])
    first = qdc.read_text().split('name="', 3)[2].split('"')[0]  # the first theme under a heading
    qdc.write_text(qdc.read_text().replace(f'name="{first}"', 'name="Renamed in NVivo"', 1))
    result = runner.invoke(app, ["import", "codebook", str(qdc), "--db", str(themed_db), "--json"])
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.output)["renamed"]) == 1
    assert "Renamed in NVivo" in codebook.read_text()


def test_exports_say_what_is_wrong_in_one_line(themed_db: Path, tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["export", "report", "--out", str(tmp_path / "r.pdf"), "--db", str(themed_db)]
    )
    assert result.exit_code == 2 and "use a .md, .html or .docx" in " ".join(result.output.split())
    bad = tmp_path / "bad.qdc"
    bad.write_text("<nope/>")
    result = runner.invoke(app, ["import", "codebook", str(bad), "--db", str(themed_db)])
    assert result.exit_code == 1
    assert "unexpected XML namespace" in " ".join(result.output.split())
    assert "Traceback" not in result.output


# Full names, a phone number and an e-mail address. Still missed by the small model, and left
# to issue 14's labelled redaction set: single first names ("Priya") and a name opening a
# sentence that it tags as nothing ("Tyrone Walker in year 10 ...").
PERSONAL = ("Kelly O'Brien", "Sam Okafor", "07700 900123", "dsl.office@example.org")


def test_the_drafted_report_redacts_unless_told_not_to(
    named_db: tuple[Path, dict], tmp_path: Path
) -> None:
    db, _ = named_db
    redacted, plain = tmp_path / "redacted.md", tmp_path / "plain.md"
    args = ["export", "report", "--db", str(db), "--top", "100", "--out"]
    assert runner.invoke(app, [*args, str(redacted)]).exit_code == 0
    assert runner.invoke(app, [*args, str(plain), "--no-redact"]).exit_code == 0
    # As a reader sees it: the Markdown report backslash-escapes punctuation in document text.
    shown, kept = (re.sub(r"\\(.)", r"\1", f.read_text()) for f in (redacted, plain))
    assert any(item in kept for item in PERSONAL), "no quote from the named transcript"
    assert not [item for item in PERSONAL if item in shown]
    assert re.search(r"\[(name|phone|email)\]", shown)
    assert "are redacted" in shown and "are redacted" not in kept


# A few files that are no codebook (tests/themes/test_codebook.py has the full set).
BAD_CODEBOOKS = {
    "python object": b"guided: !!python/object/apply:os.system ['echo owned']\n",
    "billion laughs": b'a: &a ["lol"]\nb: &b [*a, *a]\nguided: [{name: x, description: *b}]\n',
    "wrong shape": b"themes:\n  3: [1, 2]\n",
    "not UTF-8": b"guided:\n  - name: caf\xe9\n",
}


@pytest.mark.parametrize("content", BAD_CODEBOOKS.values(), ids=BAD_CODEBOOKS)
def test_a_bad_codebook_is_one_line_naming_it(tmp_path: Path, content: bytes) -> None:
    codebook = tmp_path / "codebook.yaml"
    codebook.write_bytes(content)
    result = runner.invoke(
        app,
        ["export", "codebook", "--out", str(tmp_path / "c.qdc"), "--db", str(tmp_path / "w")],
        env={"FINDINGS_CODEBOOK": str(codebook)},
    )
    assert result.exit_code == 1
    assert result.output.startswith(f"{codebook}: ")
    assert len(result.output.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_debug_shows_where_a_bad_codebook_was_refused(tmp_path: Path) -> None:
    codebook = tmp_path / "codebook.yaml"
    codebook.write_bytes(BAD_CODEBOOKS["python object"])
    result = runner.invoke(
        app,
        ["--debug", "export", "codebook", "--out", str(tmp_path / "c.qdc"), "--db", str(tmp_path)],
        env={"FINDINGS_CODEBOOK": str(codebook)},
    )
    assert isinstance(result.exception, CodebookError)


def test_a_report_with_no_headline_themes_is_a_usage_error(tmp_path: Path) -> None:
    out = str(tmp_path / "r.md")
    result = runner.invoke(app, ["export", "report", "--out", out, "--top", "0"])
    assert result.exit_code == 2 and "--top" in result.output


def test_names_read_back_from_a_qda_tool_are_shown_as_written(
    themed_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    codebook = tmp_path / "codebook.yaml"
    codebook.write_text((REPO / "models" / "codebook.yaml").read_text())
    monkeypatch.setenv("FINDINGS_CODEBOOK", str(codebook))
    qdc = tmp_path / "c.qdc"
    runner.invoke(app, ["export", "codebook", "--out", str(qdc), "--db", str(themed_db)])
    # A code added in the QDA tool, named with markup and a one-byte CSI (legal in XML 1.0).
    guid = "0f4c1a3e-0000-4000-8000-000000000001"
    added = f'<Code guid="{guid}" name="[/]&#155;[2Jmine" isCodable="true"/>'
    qdc.write_text(qdc.read_text().replace("</Codes>", f"{added}</Codes>", 1))
    result = runner.invoke(app, ["import", "codebook", str(qdc), "--db", str(themed_db)])
    assert result.exit_code == 0, result.output
    assert "not a Findings theme, left out: [/][2Jmine" in result.output
    assert "\x9b" not in result.output
