"""The audit trail: append-only rows of who did what, and when, in the team store."""

from __future__ import annotations

import datetime as dt
import getpass
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from pipeline.access.roles import Role
from pipeline.errors import TeamStoreError
from pipeline.storage.team import now_text, open_team_store, team_queries


class AuditAction(StrEnum):
    """What the audit records."""

    signed_in = "signed_in"
    refused_access = "refused_access"  # signed in, but on the access list by neither name nor group
    read_unredacted = "read_unredacted"  # quotes shown (or printed) as written
    exported = "exported"
    changed_codebook = "changed_codebook"
    changed_coding = "changed_coding"
    changed_access = "changed_access"


class Via(StrEnum):
    """Where an action was taken."""

    viewer = "viewer"
    cli = "cli"


@dataclass(frozen=True)
class AuditEvent:
    """One row of the audit trail."""

    event_id: int
    occurred_at: dt.datetime
    person: str
    role: Role | None
    action: AuditAction
    detail: str
    via: Via


def cli_person() -> str:
    """Who runs a command: the operating-system account (the CLI has no sign-in of its own)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a bare container): say so
        return "unknown local user"


def record_event(
    con: sqlite3.Connection,
    person: str,
    role: Role | None,
    action: AuditAction,
    detail: str = "",
    via: Via = Via.viewer,
) -> None:
    """Append one event; it is committed when this returns."""
    con.execute(
        team_queries("audit")["record_event"],
        {
            "occurred_at": now_text(),
            "person": person,
            "role": None if role is None else role.value,
            "action": action.value,
            "detail": detail,
            "via": via.value,
        },
    )


def audit(
    store: Path,
    person: str,
    role: Role | None,
    action: AuditAction,
    detail: str = "",
    via: Via = Via.viewer,
) -> None:
    """Open the team store at `store`, append one event and close it.

    A failure to record is an error for the caller to stop on: an action the audit cannot
    record must not go ahead unrecorded.
    """
    try:
        with closing(open_team_store(store)) as con:
            record_event(con, person, role, action, detail, via)
    except sqlite3.Error as exc:
        raise TeamStoreError(f"{store}: the audit trail cannot be written: {exc}") from exc


def read_events(
    con: sqlite3.Connection,
    since: dt.datetime | None = None,
    person: str | None = None,
    action: AuditAction | None = None,
) -> list[AuditEvent]:
    """Events in time order, from `since` on (an aware time, or naive meaning UTC), by `person`."""
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=dt.UTC)
    rows = con.execute(
        team_queries("audit")["events"],
        {
            "since": None
            if since is None
            else since.astimezone(dt.UTC).isoformat(timespec="microseconds"),
            "person": person,
            "action": None if action is None else action.value,
        },
    )
    return [
        AuditEvent(
            event_id=event_id,
            occurred_at=dt.datetime.fromisoformat(occurred_at),
            person=who,
            role=None if role is None else Role(role),
            action=AuditAction(kind),
            detail=detail,
            via=Via(via),
        )
        for event_id, occurred_at, who, role, kind, detail, via in rows
    ]


def load_events(
    store: Path,
    since: dt.datetime | None = None,
    person: str | None = None,
    action: AuditAction | None = None,
) -> list[AuditEvent]:
    """The events in the team store at `store` (none when it does not exist yet)."""
    if not store.exists():
        return []
    try:
        with closing(open_team_store(store)) as con:
            return read_events(con, since, person, action)
    except sqlite3.Error as exc:
        raise TeamStoreError(f"{store}: the audit trail cannot be read: {exc}") from exc
