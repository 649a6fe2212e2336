"""Reading the audit trail back: in time order, from a moment on, by one person."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from pipeline.access.audit import AuditAction, Via, audit, load_events
from pipeline.access.roles import Role


def test_events_come_back_as_written_in_time_order(tmp_path: Path) -> None:
    path = tmp_path / "team.sqlite"
    audit(path, "ann@unit.example", Role.analyst, AuditAction.signed_in)
    audit(path, "rob", None, AuditAction.read_unredacted, "findings search 'x'", Via.cli)
    first, second = load_events(path)
    assert (first.person, first.role, first.action, first.via) == (
        "ann@unit.example", Role.analyst, AuditAction.signed_in, Via.viewer,
    )  # fmt: skip
    assert (second.person, second.role, second.detail, second.via) == (
        "rob", None, "findings search 'x'", Via.cli,
    )  # fmt: skip
    assert first.occurred_at <= second.occurred_at <= dt.datetime.now(dt.UTC)


def test_since_and_person_narrow_the_events(tmp_path: Path) -> None:
    path = tmp_path / "team.sqlite"
    audit(path, "ann@unit.example", Role.analyst, AuditAction.signed_in)
    time.sleep(0.01)
    middle = dt.datetime.now(dt.UTC)
    time.sleep(0.01)
    audit(path, "Ann@Unit.example", Role.analyst, AuditAction.exported, "report")
    audit(path, "dana@unit.example", Role.director, AuditAction.signed_in)
    assert [e.detail for e in load_events(path, since=middle)] == ["report", ""]
    assert [e.action for e in load_events(path, person="ann@unit.example")] == [
        AuditAction.signed_in, AuditAction.exported,
    ]  # fmt: skip
    assert load_events(path, since=middle, person="ann@unit.example")[0].detail == "report"
    # A naive time is UTC.
    assert len(load_events(path, since=middle.replace(tzinfo=None))) == 2


def test_no_store_yet_is_no_events(tmp_path: Path) -> None:
    assert load_events(tmp_path / "nothing.sqlite") == []
    assert not (tmp_path / "nothing.sqlite").exists()
