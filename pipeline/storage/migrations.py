"""Numbered schema migrations (`NNN_verb_noun.sql`), each applied with its record atomically."""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

import duckdb

from pipeline.errors import MigrationError
from pipeline.storage.named_sql import named_queries
from pipeline.storage.transaction import transaction

_FILE = re.compile(r"^(?P<version>\d{3})_(?P<name>[a-z0-9_]+)\.sql$")


@dataclass(frozen=True)
class Migration:
    """One schema change."""

    version: int
    name: str
    sql: str


def available_migrations() -> list[Migration]:
    """Migrations shipped with the package, in version order."""
    folder = resources.files("pipeline.storage").joinpath("migrations")
    found: list[Migration] = []
    for entry in folder.iterdir():
        match = _FILE.match(entry.name)
        if match:
            sql = entry.read_text(encoding="utf-8")
            found.append(Migration(int(match["version"]), match["name"], sql))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if versions != list(range(1, len(found) + 1)):
        raise MigrationError(f"migration versions must run 1..n without gaps, found {versions}")
    return found


def expected_versions() -> list[int]:
    """The schema versions this Findings reads and writes: every migration it ships."""
    return [migration.version for migration in available_migrations()]


def recorded_versions(con: duckdb.DuckDBPyConnection) -> list[int]:
    """The versions a database records, read without writing (a read-only snapshot's too).

    Every database Findings writes records them, and a snapshot is a copy of one, so this is the
    schema version a snapshot was written with; a database without the record gives [].
    """
    try:
        rows = con.execute(named_queries("status")["schema_versions"]).fetchall()
    except duckdb.CatalogException:
        return []
    return [row[0] for row in rows]


def applied_migrations(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Versions already applied to this database."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        "version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)"
    )
    rows = con.execute("SELECT version FROM schema_migrations ORDER BY version").fetchall()
    return [row[0] for row in rows]


def apply_migrations(con: duckdb.DuckDBPyConnection, upto: int | None = None) -> list[int]:
    """Bring the schema up to date (or up to version `upto`); return the versions applied now.

    `upto` builds the schema an older Findings wrote, as the tests of snapshot fallback need.
    """
    done = set(applied_migrations(con))
    newly: list[int] = []
    for migration in available_migrations():
        if migration.version in done or (upto is not None and migration.version > upto):
            continue
        try:
            with transaction(con):
                con.execute(migration.sql)
                con.execute(
                    "INSERT INTO schema_migrations VALUES (?, ?, now())",
                    [migration.version, migration.name],
                )
        except duckdb.Error as exc:
            raise MigrationError(
                f"migration {migration.version:03d}_{migration.name} failed: {exc}"
            ) from exc
        newly.append(migration.version)
    return newly
