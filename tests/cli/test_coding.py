"""`findings code` and `findings memo`: decisions and memos written from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from pipeline.access.audit import AuditAction, load_events
from pipeline.access.codings import load_decisions
from pipeline.access.memos import MemoTarget, load_memos
from pipeline.cli import app
from pipeline.themes.decisions import CodingAction
from tests.cli.commands import runner


def themed_passage(db: Path) -> tuple[str, int, int, str]:
    """A passage on a theme, its theme, another theme, and that other theme's label."""
    with duckdb.connect(str(db), read_only=True) as con:
        passage_id, theme_id = con.execute(
            "SELECT passage_id, theme_id FROM current_passage_themes WHERE theme_id <> -1 "
            "ORDER BY passage_id LIMIT 1"
        ).fetchone()
        other, label = con.execute(
            "SELECT theme_id, label FROM themes WHERE theme_id <> ? AND status <> 'dormant' "
            "ORDER BY theme_id LIMIT 1",
            [theme_id],
        ).fetchone()
    return passage_id, theme_id, other, label


def invoke(*args: str) -> object:
    return runner.invoke(app, list(args))


def test_code_moves_a_passage_named_by_its_12_character_prefix(
    themed_db: Path, team_store_in_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FINDINGS_USER", "Ann Coder")
    passage_id, _, other, _ = themed_passage(themed_db)
    result = invoke("code", passage_id[:12], "--theme", str(other), "--why", "about debt",
                    "--db", str(themed_db))  # fmt: skip
    assert result.exit_code == 0, result.output
    (decision,) = load_decisions(team_store_in_tmp)
    assert (decision.passage_id, decision.theme_id, decision.action) == (
        passage_id, other, CodingAction.move,
    )  # fmt: skip
    assert (decision.coder, decision.why) == ("Ann Coder", "about debt")
    assert "moved to" in result.output and "Ann Coder" in result.output


def test_code_takes_a_theme_by_label(themed_db: Path, team_store_in_tmp: Path) -> None:
    passage_id, _, other, label = themed_passage(themed_db)
    result = invoke("code", passage_id, "--add", label, "--db", str(themed_db))
    assert result.exit_code == 0, result.output
    (decision,) = load_decisions(team_store_in_tmp)
    assert (decision.theme_id, decision.action) == (other, CodingAction.add)


def test_a_removal_is_audited_as_a_coding_change(themed_db: Path, team_store_in_tmp: Path) -> None:
    passage_id, theme_id, _, _ = themed_passage(themed_db)
    result = invoke("code", passage_id[:12], "--remove", str(theme_id), "--db", str(themed_db))
    assert result.exit_code == 0, result.output
    (event,) = load_events(team_store_in_tmp, action=AuditAction.changed_coding)
    assert passage_id in event.detail and "remove" in event.detail


def test_code_alone_lists_the_passages_decisions(themed_db: Path, team_store_in_tmp: Path) -> None:
    passage_id, theme_id, other, _ = themed_passage(themed_db)
    invoke("code", passage_id[:12], "--theme", str(other), "--db", str(themed_db))
    invoke("code", passage_id[:12], "--add", str(theme_id), "--db", str(themed_db))
    result = invoke("code", passage_id[:12], "--json", "--db", str(themed_db))
    assert result.exit_code == 0, result.output
    assert [(row["action"], row["theme_id"]) for row in json.loads(result.stdout)] == [
        ("move", other), ("add", theme_id),
    ]  # fmt: skip


def test_two_choices_at_once_are_a_usage_error(themed_db: Path, team_store_in_tmp: Path) -> None:
    passage_id, theme_id, other, _ = themed_passage(themed_db)
    result = invoke("code", passage_id[:12], "--theme", str(other), "--remove", str(theme_id),
                    "--db", str(themed_db))  # fmt: skip
    assert result.exit_code == 2
    assert load_decisions(team_store_in_tmp) == []


@pytest.mark.parametrize(
    ("passage", "theme", "says"),
    [("zzzz", "1", "no passage id starts with"), (None, "no such theme at all", "no theme")],
)
def test_an_unknown_passage_or_theme_is_one_line_and_nothing_is_stored(
    themed_db: Path, team_store_in_tmp: Path, passage: str | None, theme: str, says: str
) -> None:
    passage_id, _, _, _ = themed_passage(themed_db)
    result = invoke("code", passage or passage_id[:12], "--theme", theme, "--db", str(themed_db))
    assert result.exit_code == 1
    assert says in result.output and len(result.output.strip().splitlines()) == 1
    assert load_decisions(team_store_in_tmp) == []


def test_memo_add_on_a_passage_then_list_and_search(
    themed_db: Path, team_store_in_tmp: Path
) -> None:
    passage_id, _, _, _ = themed_passage(themed_db)
    text = "Ask the **North West** team: [bold]not markup[/bold]"
    added = invoke("memo", "add", text, "--passage", passage_id[:12], "--db", str(themed_db))
    assert added.exit_code == 0, added.output
    (memo,) = load_memos(team_store_in_tmp)
    assert (memo.target, memo.target_id, memo.text) == (MemoTarget.passage, passage_id, text)
    listed = invoke("memo", "list", "--passage", passage_id[:12], "--json", "--db", str(themed_db))
    assert [row["text"] for row in json.loads(listed.stdout)] == [text]
    found = invoke("memo", "search", "north west", "--db", str(themed_db))
    assert found.exit_code == 0 and "[bold]not markup[/bold]" in " ".join(found.output.split())


def test_memo_on_a_theme_and_on_a_document_by_title(
    themed_db: Path, team_store_in_tmp: Path
) -> None:
    _, theme_id, _, _ = themed_passage(themed_db)
    with duckdb.connect(str(themed_db), read_only=True) as con:
        doc_id, title = con.execute(
            "SELECT doc_id, title FROM documents ORDER BY doc_id LIMIT 1"
        ).fetchone()
    assert invoke("memo", "add", "theme note", "--theme", str(theme_id),
                  "--db", str(themed_db)).exit_code == 0  # fmt: skip
    assert invoke("memo", "add", "doc note", "--document", title,
                  "--db", str(themed_db)).exit_code == 0  # fmt: skip
    memos = load_memos(team_store_in_tmp)
    assert [(m.target, m.target_id) for m in memos] == [
        (MemoTarget.theme, str(theme_id)), (MemoTarget.document, doc_id),
    ]  # fmt: skip


def test_a_memo_about_nothing_is_a_usage_error(themed_db: Path, team_store_in_tmp: Path) -> None:
    result = invoke("memo", "add", "floating", "--db", str(themed_db))
    assert result.exit_code == 2
    assert load_memos(team_store_in_tmp) == []


def test_export_qdpx_carries_a_decision_and_import_codings_brings_it_back(
    themed_db: Path, team_store_in_tmp: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("FINDINGS_USER", "Ann Coder")
    passage_id, _, other, _ = themed_passage(themed_db)
    invoke("code", passage_id[:12], "--theme", str(other), "--db", str(themed_db))
    invoke("memo", "add", "look again", "--passage", passage_id[:12], "--db", str(themed_db))
    out = tmp_path / "coded.qdpx"
    exported = invoke("export", "qdpx", "--out", str(out), "--db", str(themed_db))
    assert exported.exit_code == 0, exported.output
    monkeypatch.setenv("FINDINGS_TEAM_DB", str(tmp_path / "elsewhere.sqlite"))
    imported = invoke("import", "codings", str(out), "--json", "--db", str(themed_db))
    assert imported.exit_code == 0, imported.output
    assert json.loads(imported.stdout)["coders"] == ["Ann Coder"]
    (decision,) = load_decisions(tmp_path / "elsewhere.sqlite")
    assert (decision.passage_id, decision.theme_id, decision.coder, decision.via) == (
        passage_id, other, "Ann Coder", "import",
    )  # fmt: skip
