from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from pipeline.errors import RunInProgressError
from pipeline.storage import open_warehouse
from pipeline.storage.publish import current_snapshot, publish_snapshot, readable_database, run_lock


@pytest.fixture
def warehouse_file(tmp_path: Path) -> Path:
    db = tmp_path / "data" / "findings.duckdb"
    with open_warehouse(db) as con:
        con.execute(
            "INSERT INTO documents (doc_id, path, source_sha256, format, doc_type, "
            "inferred_fields, text, n_chars, ingested_at) "
            "VALUES ('d1', 'a.txt', 's', 'txt', 'notes', [], 'text', 4, now())"
        )
    return db


def test_publish_copies_and_repoints_current(warehouse_file: Path) -> None:
    assert readable_database(warehouse_file) == warehouse_file
    first = publish_snapshot(warehouse_file, "run-1")
    assert current_snapshot(warehouse_file) == first
    second = publish_snapshot(warehouse_file, "run-2")
    assert current_snapshot(warehouse_file) == second == readable_database(warehouse_file)
    with duckdb.connect(str(second), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM documents").fetchone() == (1,)


def test_publish_keeps_only_the_last_few(warehouse_file: Path) -> None:
    for n in range(5):
        publish_snapshot(warehouse_file, f"run-{n}", keep=3)
    kept = sorted(p.name for p in (warehouse_file.parent / "published").glob("*.duckdb"))
    assert kept == ["run-2.duckdb", "run-3.duckdb", "run-4.duckdb"]


def test_publish_refuses_an_unsafe_run_id(warehouse_file: Path) -> None:
    with pytest.raises(ValueError, match="not safe"):
        publish_snapshot(warehouse_file, "../escape")


def test_a_second_run_is_refused_with_a_clear_message(warehouse_file: Path) -> None:
    with (
        run_lock(warehouse_file),
        pytest.raises(RunInProgressError, match="already in progress"),
        run_lock(warehouse_file),
    ):
        pass


def test_snapshot_is_readable_from_another_process_while_the_warehouse_is_written(
    warehouse_file: Path,
) -> None:
    snapshot = publish_snapshot(warehouse_file, "run-1")
    script = (
        "import duckdb, sys; "
        "con = duckdb.connect(sys.argv[1], read_only=True); "
        "print(con.execute('SELECT count(*) FROM documents').fetchone()[0])"
    )
    with duckdb.connect(str(warehouse_file)) as writer:
        writer.execute("BEGIN TRANSACTION")
        writer.execute("DELETE FROM documents")
        blocked = subprocess.run(
            [sys.executable, "-c", script, str(warehouse_file)], capture_output=True, text=True
        )
        reader = subprocess.run(
            [sys.executable, "-c", script, str(snapshot)], capture_output=True, text=True
        )
        writer.execute("ROLLBACK")
    assert blocked.returncode != 0  # DuckDB: a file open for writing cannot be opened elsewhere
    assert reader.returncode == 0 and reader.stdout.strip() == "1"
