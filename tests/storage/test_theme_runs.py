from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from pipeline.records import ThemeLineage
from pipeline.storage import theme_runs


def runs(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, dt.datetime | None]]:
    found = con.execute("SELECT run_id, status, finished_at FROM theme_runs").fetchall()
    return {run_id: (status, finished) for run_id, status, finished in found}


def test_runs_left_running_are_marked_aborted_with_a_finish_time(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    started = dt.datetime(2024, 5, 1, 2, 0)
    theme_runs.start_run(warehouse, "killed", started, {}, "model", "refit")
    theme_runs.start_run(warehouse, "done", started, {}, "model", "refit")
    theme_runs.finish_run(
        warehouse,
        "done",
        finished_at=started + dt.timedelta(minutes=5),
        n_passages=10,
        n_themes=2,
        n_new_themes=2,
        outlier_share=0.1,
        timings={},
    )
    now = dt.datetime(2024, 5, 2, 2, 0)
    assert theme_runs.abort_unfinished_runs(warehouse, now) == ["killed"]
    assert runs(warehouse) == {
        "killed": ("aborted", now),
        "done": ("succeeded", started + dt.timedelta(minutes=5)),
    }
    assert theme_runs.abort_unfinished_runs(warehouse, now) == []


def test_lineage_is_written_and_read_back_per_run(warehouse: duckdb.DuckDBPyConnection) -> None:
    split = ThemeLineage("split", (4,), (4, 27), 12)
    merge = ThemeLineage("merge", (9, 12), (9,), 5)
    at = dt.datetime(2024, 5, 1, 2, 0)
    theme_runs.insert_lineage(warehouse, "run-2", [split, merge], at)
    theme_runs.insert_lineage(warehouse, "run-3", [], at)
    assert theme_runs.run_lineage(warehouse, "run-2") == [split, merge]
    assert theme_runs.run_lineage(warehouse, "run-3") == []


def test_lineage_kinds_are_only_split_and_merge(warehouse: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(duckdb.ConstraintException):
        theme_runs.insert_lineage(
            warehouse, "run-2", [ThemeLineage("renamed", (1,), (2,), 0)], dt.datetime(2024, 5, 1)
        )
