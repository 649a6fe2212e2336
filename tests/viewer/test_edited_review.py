"""What people hung on a passage and a review follows an edit of the review's file.

An edited file is a new version: its unchanged passages get new ids. A coding decision, a memo
on a passage and a memo on the document, made before the edit, must stay with the same text in
the viewer, the CLI and the exports (the theme run already carries decisions over).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from pipeline.access.codings import save_decisions
from pipeline.access.memos import MemoTarget, save_memo
from pipeline.cli.app import app
from pipeline.exports.qdpx_people import user_guid
from pipeline.storage import connect
from tests.conftest import EditedReview

pytestmark = pytest.mark.slow

PENDING = "People have changed the theme of"


def decide_and_note(edited: EditedReview, store: Path) -> None:
    """The decision, a passage memo and a document memo, all on the ids before the edit."""
    d = edited.decision
    save_decisions(store, [(d.passage_id, d.theme_id, d.action, d.why)], coder=d.coder)
    save_memo(store, MemoTarget.passage, edited.retired, "Said twice at the visit.", "ann")
    save_memo(store, MemoTarget.document, edited.first_version, "Ask for the annex.", "ann")


def words_of(edited: EditedReview) -> str:
    with connect(edited.db, read_only=True) as con:
        (text,) = con.execute(
            "SELECT text FROM passages WHERE passage_id = ?", [edited.successor]
        ).fetchone()
    return " ".join(text.split()[:12])


def test_a_decision_made_before_the_edit_is_not_pending_after_the_run_applied_it(
    open_app: Callable[..., AppTest], edited_review: EditedReview, team_store_in_tmp: Path
) -> None:
    decide_and_note(edited_review, team_store_in_tmp)
    page = open_app("theme", db=edited_review.db, theme=str(edited_review.moved_to))
    shown = [str(e.value) for e in (*page.caption, *page.markdown, *page.info)]
    assert not [line for line in shown if PENDING in line], shown


def test_a_search_result_shows_the_decision_and_the_memo_made_on_its_earlier_id(
    open_app: Callable[..., AppTest],
    edited_review: EditedReview,
    team_store_in_tmp: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FINDINGS_REDACT_QUOTES", "false")
    decide_and_note(edited_review, team_store_in_tmp)
    page = open_app("search", db=edited_review.db)
    page.segmented_control(key="search_mode").set_value("keywords")
    page.text_input(key="search_query").input(words_of(edited_review)).run()
    assert not page.exception, [e.value for e in page.exception]
    captions = [str(c.value) for c in page.caption]
    assert any(c.startswith("Coded by people\\: moved to “") for c in captions), captions
    assert "Said twice at the visit." in [str(t.value) for t in page.text]


def test_a_memo_on_the_reviews_earlier_version_counts_on_the_sources_page(
    open_app: Callable[..., AppTest], edited_review: EditedReview, team_store_in_tmp: Path
) -> None:
    decide_and_note(edited_review, team_store_in_tmp)
    page = open_app("sources", db=edited_review.db)
    tables = [frame.value for frame in page.dataframe if "Memos" in frame.value.columns]
    assert sum(int(table["Memos"].sum()) for table in tables) == 1


def test_the_qdpx_export_codes_the_passage_holding_the_text_now(
    edited_review: EditedReview, team_store_in_tmp: Path, tmp_path: Path
) -> None:
    decide_and_note(edited_review, team_store_in_tmp)
    out = tmp_path / "edited.qdpx"
    result = CliRunner().invoke(
        app, ["export", "qdpx", "--out", str(out), "--db", str(edited_review.db)]
    )
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out) as archive:
        root = ET.fromstring(archive.read("project.qde"))
    ns = "{urn:QDA-XML:project:1.0}"
    by_ann = [
        selection
        for selection in root.iter(f"{ns}PlainTextSelection")
        for coding in selection.findall(f"{ns}Coding")
        if coding.get("creatingUser") == user_guid("ann")
    ]
    assert len(by_ann) == 1
    noted = [s for s in root.iter(f"{ns}PlainTextSelection") if s.find(f"{ns}NoteRef") is not None]
    assert noted == by_ann  # the passage memo is on the same selection
    sources = [s for s in root.iter(f"{ns}TextSource") if s.find(f"{ns}NoteRef") is not None]
    assert len(sources) == 1  # and the document memo on the review's current version


def test_code_lists_the_decision_made_on_the_passages_earlier_id(
    edited_review: EditedReview, team_store_in_tmp: Path
) -> None:
    decide_and_note(edited_review, team_store_in_tmp)
    result = CliRunner().invoke(
        app, ["code", edited_review.successor[:12], "--json", "--db", str(edited_review.db)]
    )
    assert result.exit_code == 0, result.output
    assert '"ann"' in result.stdout and "no coding decisions" not in result.stdout


@pytest.mark.parametrize("kind", ["passage", "document"])
def test_memo_list_gives_the_memo_made_on_the_earlier_id(
    edited_review: EditedReview, team_store_in_tmp: Path, kind: str
) -> None:
    decide_and_note(edited_review, team_store_in_tmp)
    with connect(edited_review.db, read_only=True) as con:
        (doc_id,) = con.execute(
            "SELECT doc_id FROM passages WHERE passage_id = ?", [edited_review.successor]
        ).fetchone()
    named = edited_review.successor[:12] if kind == "passage" else doc_id[:12]
    result = CliRunner().invoke(
        app, ["memo", "list", f"--{kind}", named, "--json", "--db", str(edited_review.db)]
    )
    assert result.exit_code == 0, result.output
    expected = "Said twice at the visit." if kind == "passage" else "Ask for the annex."
    assert [row["text"] for row in json.loads(result.stdout)] == [expected]
