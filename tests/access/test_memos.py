"""Memos in the team store: on a theme, a document or a passage; listed and searched."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.access.memos import MemoError, MemoTarget, add_memo, load_memos, read_memos, save_memo
from pipeline.storage.team import open_team_store


def test_a_memo_comes_back_with_its_target_author_and_time(tmp_path: Path) -> None:
    store = tmp_path / "team.sqlite"
    saved = save_memo(store, MemoTarget.theme, "3", "**Check** with the *North West* team", "ann")
    (memo,) = load_memos(store)
    assert memo == saved
    assert (memo.target, memo.target_id, memo.author) == (MemoTarget.theme, "3", "ann")
    assert memo.text == "**Check** with the *North West* team"


def test_memos_are_listed_by_target(tmp_path: Path) -> None:
    store = tmp_path / "team.sqlite"
    save_memo(store, MemoTarget.theme, "3", "theme note", "ann")
    save_memo(store, MemoTarget.passage, "a" * 64, "passage note", "bob")
    save_memo(store, MemoTarget.theme, "4", "other theme", "ann")
    assert [m.text for m in load_memos(store, MemoTarget.theme)] == ["theme note", "other theme"]
    assert [m.text for m in load_memos(store, MemoTarget.theme, "4")] == ["other theme"]


def test_search_finds_text_in_any_case_and_percent_signs_literally(tmp_path: Path) -> None:
    store = tmp_path / "team.sqlite"
    save_memo(store, MemoTarget.document, "d1", "Cuckooing rose 50% in Blackpool", "ann")
    save_memo(store, MemoTarget.document, "d2", "nothing here", "ann")
    assert [m.target_id for m in load_memos(store, containing="CUCKOO")] == ["d1"]
    assert [m.target_id for m in load_memos(store, containing="50%")] == ["d1"]
    assert load_memos(store, containing="5_%") == []


@pytest.mark.parametrize("text", ["", "   \n "])
def test_a_blank_memo_is_refused(tmp_path: Path, text: str) -> None:
    with pytest.raises(MemoError, match="needs some text"):
        save_memo(tmp_path / "team.sqlite", MemoTarget.theme, "3", text, "ann")


def test_memos_cannot_be_changed(tmp_path: Path) -> None:
    store = tmp_path / "team.sqlite"
    save_memo(store, MemoTarget.theme, "3", "first", "ann")
    with closing(open_team_store(store)) as con, pytest.raises(sqlite3.IntegrityError):
        con.execute("UPDATE memos SET text = 'rewritten'")


@settings(max_examples=40, deadline=None)
@given(st.text(min_size=1).filter(lambda t: t.strip() and "\x00" not in t))
def test_any_text_is_kept_exactly_and_found_by_itself(tmp_path_factory, text: str) -> None:
    with closing(open_team_store(tmp_path_factory.mktemp("memo") / "team.sqlite")) as con:
        add_memo(con, MemoTarget.passage, "p", text, "ann")
        (memo,) = read_memos(con, containing=text)
    assert memo.text == text
