"""A summary of what the warehouse holds (read-only)."""

from __future__ import annotations

from pathlib import Path

from pipeline.storage import connect, named_queries


def _records(cursor) -> list[dict[str, object]]:  # noqa: ANN001 - a DuckDB cursor
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def warehouse_status(
    db_path: Path, recent_errors: int = 10, top_themes: int = 12
) -> dict[str, object]:
    """Counts, coverage, documents by region, the latest themes and ingest problems."""
    sql = named_queries("status")
    with connect(db_path, read_only=True) as con:
        latest = _records(con.execute(sql["latest_run"]))
        themes = (
            _records(con.execute(sql["themes_overview"], [latest[0]["run_id"], top_themes]))
            if latest
            else []
        )
        return {
            "db": str(db_path),
            "counts": _records(con.execute(sql["counts"]))[0],
            "coverage": _records(con.execute(sql["coverage"]))[0],
            "by_region": _records(con.execute(sql["documents_by_region"])),
            "latest_run": latest[0] if latest else None,
            "themes": themes,
            "recent_errors": _records(con.execute(sql["recent_errors"], [recent_errors])),
        }
