"""The team store: one SQLite file of what people do (audit, validation, codings, memos).

Why SQLite beside the warehouse rather than a table in it: the DuckDB warehouse has one writer
and is locked while a run builds it, and the viewer reads published snapshots that each run
replaces. The team store must take short writes from many viewer sessions and CLI commands at
once, and outlive every rerun and republication: SQLite in WAL mode, with a busy timeout, does
that from several processes safely.

Its schema grows by numbered migrations (`team_migrations/NNN_verb_noun.sql`), as the
warehouse's does; each module of `pipeline.access` (`audit.py`, `codings.py`, ...) owns its
tables and runs its named SQL from `team_sql/`, its writes inside `write_transaction`.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from pipeline.errors import TeamStoreError
from pipeline.storage.named_sql import parse_named_sql

_FILE = re.compile(r"^(?P<version>\d{3})_(?P<name>[a-z0-9_]+)\.sql$")
# How long a write waits for another process's write to finish before giving up; the store's
# writes are single rows, done in milliseconds.
BUSY_TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class TeamMigration:
    """One change to the team store's schema."""

    version: int
    name: str
    statements: tuple[str, ...]


def split_statements(sql: str) -> tuple[str, ...]:
    """The statements of a script, triggers' `BEGIN … END;` bodies kept whole."""
    statements: list[str] = []
    pending = ""
    for line in sql.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            statement = "\n".join(
                kept for kept in pending.strip().splitlines() if not kept.startswith("--")
            ).strip()
            if statement.rstrip(";").strip():
                statements.append(statement)
            pending = ""
    if pending.strip() and any(
        not line.strip().startswith("--") for line in pending.strip().splitlines()
    ):
        raise TeamStoreError(f"unfinished SQL statement at the end of a migration: {pending!r}")
    return tuple(statements)


def team_migrations() -> list[TeamMigration]:
    """The migrations this Findings ships for the team store, in order, without gaps."""
    folder = resources.files("pipeline.storage").joinpath("team_migrations")
    found: list[TeamMigration] = []
    for entry in folder.iterdir():
        if match := _FILE.match(entry.name):
            statements = split_statements(entry.read_text(encoding="utf-8"))
            found.append(TeamMigration(int(match["version"]), match["name"], statements))
    found.sort(key=lambda migration: migration.version)
    versions = [migration.version for migration in found]
    if versions != list(range(1, len(found) + 1)):
        raise TeamStoreError(f"team store migrations must run 1..n without gaps, found {versions}")
    return found


@cache
def team_queries(module: str) -> dict[str, str]:
    """The named statements of `pipeline/storage/team_sql/<module>.sql`."""
    source = resources.files("pipeline.storage").joinpath("team_sql", f"{module}.sql")
    return parse_named_sql(source.read_text(encoding="utf-8"))


def now_text() -> str:
    """This moment in UTC as the store writes times (fixed width, so text order is time order)."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


def migrate_team_store(con: sqlite3.Connection) -> list[int]:
    """Apply the migrations not yet applied, each with its record in one transaction.

    `BEGIN IMMEDIATE` takes the write lock before looking, so two processes opening a new store
    at once apply each migration once: the second waits, then finds it done.
    """
    queries = team_queries("store")
    con.execute(queries["create_migrations_table"])
    newly: list[int] = []
    for migration in team_migrations():
        with write_transaction(con):
            done = {row[0] for row in con.execute(queries["applied_versions"])}
            if migration.version in done:
                continue
            for statement in migration.statements:
                con.execute(statement)
            con.execute(
                queries["record_migration"],
                {"version": migration.version, "name": migration.name, "applied_at": now_text()},
            )
        newly.append(migration.version)
    return newly


@contextmanager
def write_transaction(con: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """Run the block as one write transaction, the write lock taken at its start.

    Everything in it is stored, or (on any exception, a kill included) nothing is.
    """
    queries = team_queries("store")
    con.execute(queries["begin_write"])
    try:
        yield con
    except BaseException:
        con.execute(queries["rollback"])
        raise
    con.execute(queries["commit"])


def open_team_store(path: Path) -> sqlite3.Connection:
    """The team store at `path`, created and migrated when needed, in WAL mode.

    The connection is in autocommit mode: each write is its own transaction unless a caller
    opens one. Close it when done (`contextlib.closing`).
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
    except (OSError, sqlite3.Error) as exc:
        raise TeamStoreError(f"{path}: the team store cannot be opened: {exc}") from exc
    try:
        queries = team_queries("store")
        for setting in ("wait_for_writers", "write_ahead_log", "enforce_foreign_keys"):
            con.execute(queries[setting])
        migrate_team_store(con)
    except sqlite3.DatabaseError as exc:
        con.close()
        raise TeamStoreError(f"{path}: not a team store Findings can use: {exc}") from exc
    return con
