from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
import typer
from typer.testing import CliRunner

from pipeline.cli import app
from tests.conftest import DOCUMENTS, REPO, SEED
from tests.ingest.test_ingester import TRANSCRIPT

runner = CliRunner()


def command_tree() -> dict[str, typer.core.TyperCommand]:
    """Every command and subcommand of `findings`, by its full name ("query themes")."""
    root = typer.main.get_command(app)
    found: dict[str, typer.core.TyperCommand] = {}

    def walk(group: typer.core.TyperGroup, prefix: str) -> None:
        for name, command in group.commands.items():
            found[f"{prefix}{name}"] = command
            if hasattr(command, "commands"):
                walk(command, f"{prefix}{name} ")

    walk(root, "")
    return found


def listed_commands(help_text: str) -> set[str]:
    """Command names from the 'Commands' panel of a help screen."""
    panel = help_text.split("Commands", 1)[1]
    return set(re.findall(r"^│ (\w[\w-]*) ", panel, flags=re.MULTILINE))


def test_every_command_the_readme_shows_exists() -> None:
    readme = (REPO / "README.md").read_text()
    shown = set(re.findall(r"findings ([a-z]+(?: [a-z]+)?)", readme))
    tree = command_tree()
    for words in shown:
        first = words.split()[0]
        if first in ("twice",):  # prose ("findings twice gives"), not a command
            continue
        name = words if words in tree else first
        assert name in tree, f"README shows `findings {words}`, which the CLI lacks"
        assert runner.invoke(app, [*name.split(), "--help"]).exit_code == 0


def test_python_m_and_the_script_offer_the_same_commands() -> None:
    env = {"PATH": "/usr/bin:/bin", "HF_HUB_OFFLINE": "1", "COLUMNS": "120"}
    script = Path(sys.executable).parent / "findings"
    by_script = subprocess.run(
        [str(script), "--help"], env=env, capture_output=True, text=True, check=True
    ).stdout
    by_module = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "--help"],
        env=env, capture_output=True, text=True, check=True, cwd=REPO,
    ).stdout  # fmt: skip
    assert listed_commands(by_module) == listed_commands(by_script)
    assert {"export", "import", "query", "run", "serve"} <= listed_commands(by_module)


def test_every_command_says_what_it_does() -> None:
    for name, command in command_tree().items():
        assert (command.help or "").strip(), f"`findings {name}` has no help"


def test_commands_that_filter_take_every_filter() -> None:
    filters = {"--region", "--area", "--force", "--since", "--until", "--type"}
    filtering = {}
    for name, command in command_tree().items():
        options = {opt for param in command.params for opt in getattr(param, "opts", [])}
        if "--region" in options:  # ingest's --area and --type describe files, not filters
            filtering[name] = options
    assert {"query themes", "query quotes", "search", "export report"} <= set(filtering)
    for name, options in filtering.items():
        assert filters <= options, (name, filters - options)


def test_every_command_that_reads_the_warehouse_takes_db_and_json() -> None:
    for name, command in command_tree().items():
        if hasattr(command, "commands") or name in ("serve",):
            continue
        options = {opt for param in command.params for opt in getattr(param, "opts", [])}
        assert "--db" in options, name


def test_ingest_json_reports_added_skipped_and_errors(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text(TRANSCRIPT)
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"not a pdf")
    db = tmp_path / "w.duckdb"
    result = runner.invoke(app, ["ingest", str(good), str(bad), "--db", str(db), "--json"])
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    assert (payload["added"], payload["skipped"]) == (1, 0)
    assert payload["errors"][0]["path"] == str(bad)
    again = runner.invoke(app, ["ingest", str(good), "--db", str(db), "--json"])
    assert again.exit_code == 0
    assert json.loads(again.stdout)["skipped"] == 1


def test_bad_date_option_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["ingest", str(tmp_path), "--date", "March 2019"])
    assert result.exit_code == 2


def test_status_json_counts_the_warehouse(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_text(TRANSCRIPT)
    db = tmp_path / "w.duckdb"
    runner.invoke(app, ["ingest", str(path), "--db", str(db)])
    result = runner.invoke(app, ["status", "--db", str(db), "--json"])
    assert result.exit_code == 0
    counts = json.loads(result.stdout)["counts"]
    assert counts["documents"] == 1 and counts["passages"] >= 4 and counts["places"] > 500


def test_findings_db_environment_variable_sets_the_warehouse(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_text(TRANSCRIPT)
    db = tmp_path / "env.duckdb"
    script = Path(sys.executable).parent / "findings"
    completed = subprocess.run(
        [str(script), "ingest", str(path), "--json"],
        env={"FINDINGS_DB": str(db), "PATH": "/usr/bin:/bin", "HF_HUB_OFFLINE": "1"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert db.is_file()


@pytest.mark.usefixtures("prefect_api")
def test_run_json_reports_the_whole_pipeline(tmp_path: Path) -> None:
    corpus = tmp_path / "reviews"
    corpus.mkdir()
    for name in (
        "02_bedford_practitioner_interviews.txt",
        "19_lincoln_practitioner_interviews.txt",
    ):
        (corpus / name).write_bytes((REPO / "corpus" / name).read_bytes())
    db = tmp_path / "w.duckdb"
    result = runner.invoke(app, ["run", "--corpus", str(corpus), "--db", str(db), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    keys = {
        "run_id",
        "documents_added",
        "passages_added",
        "passages_embedded",
        "themes",
        "new_themes",
        "outlier_share",
    }
    assert keys <= set(payload)
    assert payload["documents_added"] == 2
    assert payload["passages_embedded"] == payload["passages_added"] > 20
    assert payload["themes"] >= 1 and payload["new_themes"] == payload["themes"]
    again = json.loads(
        runner.invoke(app, ["run", "--corpus", str(corpus), "--db", str(db), "--json"]).stdout
    )
    assert (again["documents_added"], again["passages_embedded"], again["new_themes"]) == (0, 0, 0)


def test_query_and_search_commands_answer_in_json(themed_db: Path) -> None:
    db = str(themed_db)
    themes = runner.invoke(app, ["query", "themes", "--db", db, "--region", "Wales", "--json"])
    assert themes.exit_code == 0, themes.output
    ranked = json.loads(themes.stdout)
    assert ranked and ranked[0]["n_documents"] <= 2
    theme = str(ranked[0]["theme_id"])
    quoted = runner.invoke(app, ["query", "quotes", "--theme", theme, "--db", db, "--json"])
    assert {"text", "title", "area", "region", "review_date", "speaker"} <= set(
        json.loads(quoted.stdout)[0]
    )
    trend = runner.invoke(
        app, ["query", "trends", "--theme", theme, "--by", "region", "--db", db, "--json"]
    )
    assert trend.exit_code == 0 and json.loads(trend.stdout)
    matrix = runner.invoke(app, ["query", "matrix", "--by", "review", "--db", db, "--json"])
    assert matrix.exit_code == 0 and json.loads(matrix.stdout)
    since = runner.invoke(app, ["query", "themes", "--db", db, "--since", "2019-13", "--json"])
    assert since.exit_code == 2
    found = runner.invoke(app, ["search", "Caister", "--db", db, "--json", "--limit", "3"])
    assert "Caister" in json.loads(found.stdout)[0]["text"]


def test_search_on_an_index_without_postings_exits_1_saying_what_to_do(
    db_without_postings: Path,
) -> None:
    found = runner.invoke(app, ["search", "Caister", "--db", str(db_without_postings)])
    assert found.exit_code == 1
    assert "findings run" in found.output
    assert "Traceback" not in found.output


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
    assert (tmp_path / "r.md").read_text().count("\n### ") == 3
    assert len(list((tmp_path / "parquet").glob("*.parquet"))) == 6


def test_import_codebook_reads_a_qdc_back(themed_db: Path, tmp_path: Path, monkeypatch) -> None:
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


def test_findings_max_file_mb_sets_the_size_limit(tmp_path: Path) -> None:
    small, big = tmp_path / "small.txt", tmp_path / "big.txt"
    small.write_text(TRANSCRIPT)
    big.write_text(TRANSCRIPT + "More words here. " * 1_000)  # about 17 KB
    db = tmp_path / "w.duckdb"
    result = runner.invoke(
        app, ["ingest", str(small), str(big), "--db", str(db), "--json"],
        env={"FINDINGS_MAX_FILE_MB": "0.01"},
    )  # fmt: skip
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    assert payload["added"] == 1
    assert [e["path"] for e in payload["errors"]] == [str(big)]
    assert "over the 0.01 MB limit" in payload["errors"][0]["reason"]


HOLD_THE_RUN_LOCK = """
import sys, time
from pathlib import Path
from pipeline.storage.publish import run_lock
with run_lock(Path(sys.argv[1])):
    print("held", flush=True)
    time.sleep(120)
"""


def test_a_second_run_from_another_process_refuses(tmp_path: Path) -> None:
    corpus = tmp_path / "reviews"
    corpus.mkdir()
    shutil.copy(REPO / "corpus" / "02_bedford_practitioner_interviews.txt", corpus)
    db = tmp_path / "w.duckdb"
    env = os.environ | {"HF_HUB_OFFLINE": "1"}
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_THE_RUN_LOCK, str(db)],
        stdout=subprocess.PIPE, text=True, env=env, cwd=REPO,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        second = subprocess.run(
            [str(Path(sys.executable).parent / "findings"), "run", "--corpus", str(corpus),
             "--db", str(db)],
            env=env, capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
    finally:
        holder.kill()
        holder.wait()
    assert second.returncode == 1
    assert "already in progress" in second.stderr
    assert "Traceback" not in second.stderr + second.stdout
    if db.exists():  # nothing was ingested behind the lock
        with duckdb.connect(str(db), read_only=True) as con:
            assert con.execute("SELECT count(*) FROM documents").fetchone() == (0,)


def test_the_seed_report_ingests_as_a_national_document(seed_path: Path, tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    result = runner.invoke(app, ["ingest", str(seed_path), "--db", str(db), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["added"] == 1
    status = json.loads(runner.invoke(app, ["status", "--db", str(db), "--json"]).stdout)
    assert status["counts"]["documents"] == 1
    with duckdb.connect(str(db), read_only=True) as con:
        area, region, title = con.execute("SELECT area, region, title FROM documents").fetchone()
    assert (area, region) == ("National", None) and title != "1. Introduction"


@pytest.mark.parametrize(
    "args",
    [
        ["status"],
        ["query", "themes"],
        ["query", "matrix", "--by", "area"],
        ["search", "cuckooing"],
        ["search", "Xanax"],
        ["search", "young people held in debt", "--semantic"],
    ],
)
def test_every_answer_on_the_seed_report_reads_cleanly(seed_themed_db: Path, args) -> None:
    # The seed has no region, force or date: what a command prints must not show NaN or fail.
    result = runner.invoke(app, [*args, "--db", str(seed_themed_db)])
    assert result.exit_code == 0, result.output
    assert result.output.strip()
    assert "Traceback" not in result.output
    assert not re.search(r"\bnan\b|NaT|None\b", result.output), result.output


def test_quotes_of_a_seed_theme_come_from_the_seed(seed_themed_db: Path) -> None:
    db = str(seed_themed_db)
    ranked = json.loads(runner.invoke(app, ["query", "themes", "--db", db, "--json"]).stdout)
    theme = str(ranked[0]["theme_id"])
    quoted = runner.invoke(app, ["query", "quotes", "--theme", theme, "--db", db, "--json"])
    assert quoted.exit_code == 0, quoted.output
    rows = json.loads(quoted.stdout)
    seed_text = " ".join(SEED.read_text(encoding="utf-8").split())
    assert rows and all(row["area"] == "National" for row in rows)
    assert all(" ".join(row["text"].split())[:60] in seed_text for row in rows)


@pytest.fixture(scope="module")
def named_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Our own test documents (one transcript full of names, numbers and e-mails), themed."""
    db = tmp_path_factory.mktemp("named") / "w.duckdb"
    ingest = runner.invoke(app, ["ingest", str(DOCUMENTS), "--db", str(db), "--json"])
    assert ingest.exit_code == 0, ingest.output
    assert runner.invoke(app, ["embed", "--db", str(db)]).exit_code == 0
    themes = runner.invoke(app, ["themes", "--db", str(db), "--json"])
    assert themes.exit_code == 0, themes.output
    return db


# Full names, a phone number and an e-mail address. Still missed by the small model, and left
# to issue 14's labelled redaction set: single first names ("Priya") and a name opening a
# sentence that it tags as nothing ("Tyrone Walker in year 10 ...").
PERSONAL = ("Kelly O'Brien", "Sam Okafor", "07700 900123", "dsl.office@example.org")


def test_the_drafted_report_redacts_unless_told_not_to(named_db: Path, tmp_path: Path) -> None:
    redacted, plain = tmp_path / "redacted.md", tmp_path / "plain.md"
    args = ["export", "report", "--db", str(named_db), "--top", "100", "--out"]
    assert runner.invoke(app, [*args, str(redacted)]).exit_code == 0
    assert runner.invoke(app, [*args, str(plain), "--no-redact"]).exit_code == 0
    shown, kept = redacted.read_text(), plain.read_text()
    assert any(item in kept for item in PERSONAL), "no quote from the named transcript"
    assert not [item for item in PERSONAL if item in shown]
    assert re.search(r"\[(name|phone|email)\]", shown)
    assert "are redacted" in shown and "are redacted" not in kept
