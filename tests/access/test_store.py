"""The team store: SQLite in WAL mode, migrated once, append-only, shared by processes."""

from __future__ import annotations

import multiprocessing
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from pipeline.access.audit import AuditAction, audit, load_events, record_event
from pipeline.access.roles import Role
from pipeline.errors import TeamStoreError
from pipeline.storage.team import open_team_store, split_statements, team_migrations


def test_a_new_store_is_created_migrated_and_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "data" / "team.sqlite"
    with closing(open_team_store(path)) as con:
        versions = [row[0] for row in con.execute("SELECT version FROM team_migrations")]
        mode = con.execute("PRAGMA journal_mode").fetchone()[0]
    assert versions == [m.version for m in team_migrations()] and versions
    assert mode == "wal"


def test_reopening_applies_nothing_twice_and_keeps_the_rows(tmp_path: Path) -> None:
    path = tmp_path / "team.sqlite"
    audit(path, "ann@unit.example", Role.analyst, AuditAction.signed_in)
    with closing(open_team_store(path)) as con:
        applied = con.execute("SELECT count(*) FROM team_migrations").fetchone()[0]
    assert applied == len(team_migrations())
    assert [e.person for e in load_events(path)] == ["ann@unit.example"]


@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit_events SET person = 'someone else'", "DELETE FROM audit_events"],
)
def test_the_audit_trail_refuses_changes_and_deletions(tmp_path: Path, statement: str) -> None:
    path = tmp_path / "team.sqlite"
    audit(path, "ann@unit.example", Role.analyst, AuditAction.read_unredacted, "search")
    with closing(open_team_store(path)) as con, pytest.raises(sqlite3.IntegrityError):
        con.execute(statement)
    assert [e.detail for e in load_events(path)] == ["search"]


def write_events(path: str, writer: int, count: int) -> None:
    with closing(open_team_store(Path(path))) as con:
        for n in range(count):
            record_event(con, f"writer{writer}", None, AuditAction.exported, str(n))


def test_several_processes_write_at_once_and_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "team.sqlite"  # new: the processes race to migrate it too
    context = multiprocessing.get_context("spawn")
    writers = [context.Process(target=write_events, args=(str(path), w, 40)) for w in range(4)]
    for process in writers:
        process.start()
    for process in writers:
        process.join(120)
    assert [process.exitcode for process in writers] == [0, 0, 0, 0]
    events = load_events(path)
    assert len(events) == 160
    assert {(e.person, e.detail) for e in events} == {
        (f"writer{w}", str(n)) for w in range(4) for n in range(40)
    }


def test_a_file_that_is_no_database_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "team.sqlite"
    path.write_bytes(b"this is not SQLite" * 100)
    with pytest.raises(TeamStoreError, match="not a team store"):
        open_team_store(path)


def test_a_trigger_is_one_statement_however_many_semicolons_it_holds() -> None:
    script = (
        "-- a comment\nCREATE TABLE t (a INTEGER);\n"
        "CREATE TRIGGER r BEFORE DELETE ON t\nBEGIN\n    SELECT RAISE(ABORT, 'no');\nEND;\n"
    )
    statements = split_statements(script)
    assert len(statements) == 2
    assert statements[1].startswith("CREATE TRIGGER") and statements[1].endswith("END;")
