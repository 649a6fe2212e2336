"""Small helpers shared by tests."""

from __future__ import annotations

from pathlib import Path

import duckdb


def rows(db: Path, sql: str, params: list[object] | None = None) -> list[tuple]:
    """Run a read-only query against a warehouse file."""
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()
