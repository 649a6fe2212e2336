"""What the viewer reads: published snapshots only, the newest it can, and why when not."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from pipeline.storage.publish import publish_snapshot
from tests.conftest import DOCUMENTS, REPO
from tests.snapshots import older_schema_database, place_as_current, truncate
from tests.writers import holding


@pytest.fixture
def warehouse(tmp_path: Path, themed_db: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the themed sample warehouse, nothing published yet; the viewer points at it."""
    db = tmp_path / "data" / "findings.duckdb"
    db.parent.mkdir()
    shutil.copyfile(themed_db, db)
    codebook = tmp_path / "codebook.yaml"
    shutil.copy(REPO / "models" / "codebook.yaml", codebook)
    monkeypatch.setenv("FINDINGS_DB", str(db))
    monkeypatch.setenv("FINDINGS_CODEBOOK", str(codebook))
    return db


def start_viewer(page: str = "national") -> AppTest:
    app = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    app.run()
    if page != "national":
        app.switch_page(f"app_pages/{page}.py")
        app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def ingest_in_another_process(db: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(Path(sys.executable).parent / "findings"), "ingest", str(DOCUMENTS), "--db", str(db)],
        env=os.environ | {"HF_HUB_OFFLINE": "1"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_a_viewer_started_before_the_first_run_never_holds_the_warehouse(warehouse: Path) -> None:
    viewer = start_viewer()
    assert "No findings published yet" in viewer.info[0].value
    assert "findings run" in viewer.info[0].value
    assert "make run" in viewer.info[0].value
    ingested = ingest_in_another_process(warehouse)
    assert ingested.returncode == 0, ingested.stderr[-2000:]
    publish_snapshot(warehouse, "run-1")
    viewer.run()
    assert not viewer.exception and not viewer.info
    assert len(viewer.dataframe[0].value) > 0


def test_while_the_first_run_writes_the_viewer_says_it_is_under_way(warehouse: Path) -> None:
    with holding(warehouse):
        viewer = start_viewer()
    assert "A run is building the first findings" in viewer.info[0].value
    assert "`findings run`" in viewer.info[0].value


@pytest.mark.parametrize("page", ["national", "sources", "search"])
def test_past_a_truncated_snapshot_every_page_shows_the_older_and_says_why(
    warehouse: Path, page: str
) -> None:
    publish_snapshot(warehouse, "run-1")
    truncate(publish_snapshot(warehouse, "run-2"))
    viewer = start_viewer(page)
    assert not viewer.error
    warning = viewer.warning[0].value
    assert warning.startswith("Reading the older snapshot run-1.duckdb: run-2.duckdb is damaged")
    assert warning.endswith("Run `findings run` to publish a fresh one.")
    assert viewer.title


def test_past_a_snapshot_of_an_older_schema_the_viewer_shows_the_older_and_says_why(
    warehouse: Path, tmp_path: Path
) -> None:
    publish_snapshot(warehouse, "run-1")
    place_as_current(warehouse, older_schema_database(tmp_path / "older.duckdb"), "run-2.duckdb")
    viewer = start_viewer()
    assert "run-2.duckdb was written by an older Findings" in viewer.warning[0].value
    assert len(viewer.dataframe[0].value) > 0


def test_with_a_broken_pointer_the_viewer_shows_the_newest_kept_snapshot(warehouse: Path) -> None:
    publish_snapshot(warehouse, "run-1")
    (warehouse.parent / "published" / "current").write_text("run-7.duckdb\n")
    viewer = start_viewer()
    assert "current names run-7.duckdb, which is not there" in viewer.warning[0].value
    assert len(viewer.dataframe[0].value) > 0


def test_with_no_readable_snapshot_the_viewer_names_the_problem_and_the_fix(
    warehouse: Path,
) -> None:
    truncate(publish_snapshot(warehouse, "run-1"))
    viewer = start_viewer()
    message = viewer.error[0].value
    assert "run-1.duckdb is damaged or incomplete" in message
    assert "Run `findings run` (or `make run`) to publish a fresh snapshot" in message
    assert not viewer.dataframe
