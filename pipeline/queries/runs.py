"""Run history: theme runs, what the latest changed, ingest problems and the warehouse status."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from pipeline.queries import _sql
from pipeline.storage import connect


def latest_run_id(con: duckdb.DuckDBPyConnection) -> str | None:
    """The id of the run whose themes are current, or None before any."""
    run_id = _sql.scalar(con, "runs", "latest_run_id")
    return None if run_id is None else str(run_id)


def first_run_id(con: duckdb.DuckDBPyConnection) -> str | None:
    """The id of the first successful theme run, or None before any."""
    run_id = _sql.scalar(con, "runs", "first_run_id")
    return None if run_id is None else str(run_id)


def latest_run(con: duckdb.DuckDBPyConnection) -> dict[str, object] | None:
    """The latest successful theme run: id, times, model and parameters."""
    frame = _sql.frame(con, "runs", "latest_run")
    return None if frame.empty else frame.iloc[0].to_dict()


def run_history(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Theme runs, newest first."""
    return _sql.frame(con, "runs", "run_history")


def ingest_errors(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every file that failed or was ingested with a warning, and why."""
    return _sql.frame(con, "runs", "ingest_errors")


def withdrawn_reviews(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every review withdrawn by hand (`findings withdraw`): when and why."""
    return _sql.frame(con, "runs", "withdrawn_reviews")


@dataclass(frozen=True)
class Changes:
    """What the latest run changed compared with the one before it."""

    run_id: str | None
    finished_at: dt.datetime | None
    previous_run_id: str | None
    new_documents: pd.DataFrame
    new_theme_ids: list[int]
    dormant_theme_ids: list[int]
    # Reviews withdrawn by hand since the run before (title, reason): why a count fell.
    withdrawn: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["title", "reason"])
    )
    # Of the dormant themes, those a merge or split carried on into others (the themes their
    # passages went to): regrouped, not faded.
    carried_into: dict[int, list[int]] = field(default_factory=dict)
    mode: str | None = None  # the latest run's: 'refit' (a full fit) or 'update'


def carried_into(
    dormant: list[int], moves: list[tuple[list[int], list[int]]]
) -> dict[int, list[int]]:
    """Each dormant theme that a split or merge (from themes, to themes) took into others."""
    went: dict[int, set[int]] = {}
    for sources, targets in moves:
        for source in set(sources) & set(dormant):
            went.setdefault(source, set()).update(t for t in targets if t != source)
    return {theme: sorted(others) for theme, others in went.items() if others}


def changes_since_previous_run(con: duckdb.DuckDBPyConnection) -> Changes:
    """Reviews added and themes born or gone dormant in the latest successful run."""
    runs = run_history(con)
    runs = runs[runs["status"] == "succeeded"]
    empty = pd.DataFrame(
        columns=["title", "area", "region", "review_date", "doc_type", "scope", "edited"]
    )
    if runs.empty:
        return Changes(None, None, None, empty, [], [])
    latest = runs.iloc[0]
    previous = runs.iloc[1] if len(runs) > 1 else None
    if previous is None:
        # the first run: everything is new, which says nothing; list what it was built on
        added = _sql.frame(con, "runs", "documents_since", {"since": dt.datetime(1, 1, 1)})
        return Changes(latest["run_id"], latest["finished_at"], None, added, [], [])
    added = _sql.frame(con, "runs", "documents_since", {"since": previous["finished_at"]})
    new = _sql.column(con, "runs", "themes_first_seen", {"run": latest["run_id"]})
    dormant = _sql.column(con, "runs", "themes_gone_dormant", {"previous": previous["run_id"]})
    withdrawn = _sql.frame(con, "runs", "withdrawn_since", {"since": previous["finished_at"]})
    gone = [int(t) for t in dormant]
    moves = [
        ([int(t) for t in row["from_theme_ids"]], [int(t) for t in row["to_theme_ids"]])
        for row in _sql.records(con, "runs", "lineage_of_run", {"run": latest["run_id"]})
    ]
    return Changes(
        latest["run_id"],
        latest["finished_at"],
        previous["run_id"],
        added,
        [int(t) for t in new],
        gone,
        withdrawn,
        carried_into(gone, moves),
        None if pd.isna(latest["mode"]) else str(latest["mode"]),
    )


def warehouse_status(
    db_path: Path, recent_errors: int = 10, top_themes: int = 12
) -> dict[str, object]:
    """Counts, coverage, documents by region, the latest themes and ingest problems."""
    with connect(db_path, read_only=True) as con:
        latest = _sql.record(con, "status", "latest_run")
        themes = (
            _sql.records(
                con, "status", "themes_overview", {"run_id": latest["run_id"], "limit": top_themes}
            )
            if latest
            else []
        )
        return {
            "db": str(db_path),
            "counts": _sql.record(con, "status", "counts"),
            "coverage": _sql.record(con, "status", "coverage"),
            "by_region": _sql.records(con, "status", "documents_by_region"),
            "latest_run": latest,
            "themes": themes,
            "recent_errors": _sql.records(con, "status", "recent_errors", {"limit": recent_errors}),
            # Still counted though their files are gone: nothing withdraws a review by itself
            # (a network share that blinks must not), so status says which.
            "files_gone": [
                row
                for row in _sql.records(con, "status", "document_sources")
                if not Path(str(row["source_path"])).exists()
            ],
            "withdrawn": _sql.records(con, "status", "withdrawn"),
        }
