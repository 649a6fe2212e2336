"""The Theme page's history: when a theme was first found and what it split into or merged with."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import duckdb

from pipeline.records import ThemeLineage
from pipeline.storage import open_warehouse, theme_runs
from pipeline.storage.publish import publish_snapshot
from pipeline.viewer.literal import md


def themes_by_size(db: Path) -> list[tuple[int, str]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(
            "SELECT theme_id, label FROM themes WHERE status <> 'dormant' "
            "ORDER BY n_passages DESC, theme_id"
        ).fetchall()


def test_the_theme_page_shows_a_recorded_split_with_the_other_themes_label(
    open_app, themed_db: Path, tmp_path: Path
) -> None:
    db = tmp_path / "split.duckdb"
    shutil.copy(themed_db, db)
    (source, source_label), (split_off, split_off_label) = themes_by_size(db)[:2]
    with open_warehouse(db) as con:
        run = theme_runs.last_succeeded_run(con)
        assert run is not None
        split = ThemeLineage("split", (source,), (source, split_off), 7)
        theme_runs.insert_lineage(con, run.run_id, [split], dt.datetime(2024, 5, 1))
    publish_snapshot(db, "fixture")
    app = open_app("theme", db=db, theme=str(source))
    shown = [m.value for m in app.markdown]
    assert any(line.startswith(md("First found by the run of")) for line in shown), shown
    expected = md(
        f"“{source_label}” (#{source}) split into “{source_label}” (#{source}) and "
        f"“{split_off_label}” (#{split_off}) (7 earlier passages moved)."
    )
    assert any(line.endswith(expected) for line in shown), shown
