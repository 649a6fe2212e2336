"""Opening the warehouse file."""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipeline.storage.migrations import apply_migrations


def connect(db_path: Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open a DuckDB file; the parent folder is created for a writable connection."""
    if not read_only:
        db_path.parent.mkdir(parents=True, exist_ok=True)
    return duckdb.connect(str(db_path), read_only=read_only)


def open_warehouse(db_path: Path) -> duckdb.DuckDBPyConnection:
    """Open the warehouse for writing with its schema migrated to the latest version."""
    con = connect(db_path)
    apply_migrations(con)
    return con
