"""Coding decisions in the team store: appended with their audit, read back as a log, kept."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from pipeline.access.audit import AuditAction, Via, load_events
from pipeline.access.codings import coder_name, load_decisions, save_decisions
from pipeline.access.roles import Role
from pipeline.storage.team import open_team_store
from pipeline.themes.decisions import CodingAction, CodingState, current_decisions

P1 = "a" * 64
P2 = "b" * 64


def test_decisions_come_back_in_order_with_who_what_and_why(tmp_path: Path) -> None:
    store = tmp_path / "team.sqlite"
    save_decisions(store, [(P1, 3, CodingAction.move, " about county lines ")], "ann")
    save_decisions(store, [(P2, 4, CodingAction.add, "")], "bob")
    first, second = load_decisions(store)
    assert (first.passage_id, first.theme_id, first.action, first.coder, first.why) == (
        P1, 3, CodingAction.move, "ann", "about county lines",
    )  # fmt: skip
    assert (second.coder, second.action) == ("bob", CodingAction.add)
    assert first.decided_at <= second.decided_at


def test_a_changed_mind_is_a_later_decision_and_the_current_one_is_derived(tmp_path: Path) -> None:
    store = tmp_path / "team.sqlite"
    save_decisions(store, [(P1, 3, CodingAction.add, "")], "ann")
    save_decisions(store, [(P1, 3, CodingAction.remove, "not about this")], "ann")
    log = load_decisions(store)
    assert len(log) == 2
    assert current_decisions(log)[P1].themes[3].state is CodingState.removed


def test_every_decision_is_audited_as_a_coding_change(tmp_path: Path) -> None:
    store = tmp_path / "team.sqlite"
    save_decisions(
        store, [(P1, 3, CodingAction.move, "why")], "ann@unit", Role.researcher, "viewer"
    )
    (event,) = load_events(store, action=AuditAction.changed_coding)
    assert (event.person, event.role, event.via) == ("ann@unit", Role.researcher, Via.viewer)
    assert P1 in event.detail and "move" in event.detail and "theme 3" in event.detail


@pytest.mark.parametrize(
    "statement", ["UPDATE coding_decisions SET theme_id = 9", "DELETE FROM coding_decisions"]
)
def test_the_log_refuses_changes_and_deletions(tmp_path: Path, statement: str) -> None:
    store = tmp_path / "team.sqlite"
    save_decisions(store, [(P1, 3, CodingAction.move, "")], "ann")
    with closing(open_team_store(store)) as con, pytest.raises(sqlite3.IntegrityError):
        con.execute(statement)
    assert len(load_decisions(store)) == 1


def test_a_decision_that_cannot_be_stored_leaves_no_audit_row(tmp_path: Path) -> None:
    store = tmp_path / "team.sqlite"
    with pytest.raises(ValueError, match="jump"):
        save_decisions(store, [(P1, 3, "jump", "")], "ann")  # type: ignore[list-item]
    assert load_decisions(store) == [] and load_events(store) == []


def test_no_store_yet_is_no_decisions(tmp_path: Path) -> None:
    assert load_decisions(tmp_path / "none.sqlite") == []
    assert not (tmp_path / "none.sqlite").exists()


def test_the_coder_is_findings_user_when_set_else_the_os_user() -> None:
    assert coder_name({"FINDINGS_USER": "  Ann  Smith "}) == "Ann Smith"
    assert coder_name({}) == coder_name({"FINDINGS_USER": "  "}) != ""
