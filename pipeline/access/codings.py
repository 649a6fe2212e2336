"""People's coding decisions in the team store: recorded with their audit, read back as a log.

Why the team store and not the warehouse: a researcher's save must never wait for a rerun, and
the warehouse has one writer and is locked for the whole of a run (the viewer reads published
snapshots, which each run replaces). Each theme run reads the log from here and applies it
(`pipeline.themes.decisions`), and copies what it applied into the warehouse so that the
snapshot it publishes carries the codings its figures were made with.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from collections.abc import Iterable, Mapping
from contextlib import closing
from pathlib import Path

from pipeline.access.audit import AuditAction, Via, cli_person, record_event
from pipeline.access.roles import Role
from pipeline.errors import TeamStoreError
from pipeline.storage.team import now_text, open_team_store, team_queries, write_transaction
from pipeline.themes.decisions import CodingAction, CodingDecision

USER_VARIABLE = "FINDINGS_USER"


def coder_name(environ: Mapping[str, str] = os.environ) -> str:
    """Who codes from the command line: `FINDINGS_USER` when set, else the operating-system user.

    (The viewer names its signed-in person itself; the CLI has no sign-in.)
    """
    named = " ".join(environ.get(USER_VARIABLE, "").split())
    return named or cli_person()


def _sql(name: str) -> str:
    return team_queries("codings")[name]


def _decision(row: tuple) -> CodingDecision:
    decision_id, passage_id, theme_id, action, coder, decided_at, why, via = row
    return CodingDecision(
        decision_id=decision_id,
        passage_id=passage_id,
        theme_id=theme_id,
        action=CodingAction(action),
        coder=coder,
        decided_at=dt.datetime.fromisoformat(decided_at),
        why=why,
        via=via,
    )


def _audit_via(via: str) -> Via:
    return Via.viewer if via == "viewer" else Via.cli


def record_decisions(
    con: sqlite3.Connection,
    decisions: Iterable[tuple[str, int, CodingAction, str]],
    coder: str,
    role: Role | None = None,
    via: str = "cli",
) -> list[CodingDecision]:
    """Append decisions (passage id, theme id, action, why) and their audit, in one transaction.

    Either every decision and its audit row is stored, or none is: a decision the audit cannot
    record does not go ahead.
    """
    stored: list[CodingDecision] = []
    with write_transaction(con):
        for passage_id, theme_id, action, why in decisions:
            decided_at = now_text()
            values = {
                "passage_id": passage_id,
                "theme_id": int(theme_id),
                "action": CodingAction(action).value,
                "coder": coder,
                "decided_at": decided_at,
                "why": why.strip(),
                "via": via,
            }
            (decision_id,) = con.execute(_sql("insert_decision"), values).fetchone()
            stored.append(_decision((decision_id, *list(values.values()))))
            detail = f"{action} passage {passage_id} theme {theme_id}" + (
                f": {why.strip()}" if why.strip() else ""
            )
            record_event(con, coder, role, AuditAction.changed_coding, detail, _audit_via(via))
    return stored


def read_decisions(con: sqlite3.Connection, passage_id: str | None = None) -> list[CodingDecision]:
    """The decision log in time order (one passage's, when given)."""
    return [_decision(row) for row in con.execute(_sql("decisions"), {"passage_id": passage_id})]


def save_decisions(
    store: Path,
    decisions: Iterable[tuple[str, int, CodingAction, str]],
    coder: str,
    role: Role | None = None,
    via: str = "cli",
) -> list[CodingDecision]:
    """Open the team store at `store`, append decisions with their audit, and close it."""
    try:
        with closing(open_team_store(store)) as con:
            return record_decisions(con, decisions, coder, role, via)
    except sqlite3.Error as exc:
        raise TeamStoreError(f"{store}: the coding decision cannot be saved: {exc}") from exc


def load_decisions(store: Path) -> list[CodingDecision]:
    """The decision log of the team store at `store` (empty when there is no store yet)."""
    if not store.exists():
        return []
    try:
        with closing(open_team_store(store)) as con:
            return read_decisions(con)
    except sqlite3.Error as exc:
        raise TeamStoreError(f"{store}: coding decisions cannot be read: {exc}") from exc
