from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from pipeline.errors import RunInProgressError, SnapshotError, WarehouseBusyError
from pipeline.storage import connect, open_warehouse
from pipeline.storage.migrations import expected_versions
from pipeline.storage.publish import (
    CURRENT,
    choose_snapshot,
    current_snapshot,
    lock_path,
    publish_snapshot,
    published_dir,
    read_target,
    readable_database,
    run_holder,
    run_lock,
)
from tests.snapshots import older_schema_database, place_as_current, truncate
from tests.writers import holding


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


# The run lock, against a real second process.


def test_a_second_writer_is_refused_with_one_line_naming_the_first(warehouse_file: Path) -> None:
    with holding(warehouse_file, command="findings ingest", writing=False) as holder:
        started = time.monotonic()
        with pytest.raises(RunInProgressError) as refused, run_lock(warehouse_file):
            pass
    waited = time.monotonic() - started
    message = str(refused.value)
    assert message.startswith(f"a run is already in progress on {warehouse_file}")
    assert "`findings ingest`" in message and f"pid {holder.pid}" in message
    assert message.endswith("try again when it ends") and "\n" not in message
    assert waited < 5  # refused at once, not after a long wait


def test_the_lock_is_reentrant_in_one_process_and_released_by_the_outermost(
    warehouse_file: Path,
) -> None:
    with run_lock(warehouse_file, command="findings run"):
        with run_lock(warehouse_file, command="Prefect flow refresh"):
            pass
        assert run_holder(warehouse_file) is not None  # the inner exit did not release it
    with holding(warehouse_file, writing=False):  # another process can take it now
        assert run_holder(warehouse_file) is not None


def test_run_holder_names_the_command_holding_the_lock(warehouse_file: Path) -> None:
    assert run_holder(warehouse_file) is None
    with holding(warehouse_file, command="findings embed", writing=False) as holder:
        found = run_holder(warehouse_file)
        assert found is not None
        assert (found.command, found.pid) == ("findings embed", holder.pid)
        assert found.started_at is not None
    assert run_holder(warehouse_file) is None


def test_a_holder_killed_with_sigkill_holds_nothing(warehouse_file: Path) -> None:
    with holding(warehouse_file, writing=False) as holder:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait()
        assert lock_path(warehouse_file).exists()  # the file stays; the kernel's lock does not
        assert run_holder(warehouse_file) is None
        with run_lock(warehouse_file):
            assert run_holder(warehouse_file) is not None


def test_a_waiting_writer_gets_the_lock_when_the_holder_lets_go(warehouse_file: Path) -> None:
    with holding(warehouse_file, writing=False, seconds=2):
        started = time.monotonic()
        with run_lock(warehouse_file, wait_s=60):
            waited = time.monotonic() - started
    assert 1 < waited < 30


def test_a_waiting_writer_gives_up_after_its_bound(warehouse_file: Path) -> None:
    with holding(warehouse_file, writing=False):
        started = time.monotonic()
        with pytest.raises(RunInProgressError), run_lock(warehouse_file, wait_s=2):
            pass
        waited = time.monotonic() - started
    assert 2 <= waited < 10


# Choosing the snapshot a reader opens.


def test_a_truncated_current_snapshot_falls_back_to_the_newest_readable(
    warehouse_file: Path,
) -> None:
    first = publish_snapshot(warehouse_file, "run-1")
    second = publish_snapshot(warehouse_file, "run-2")
    truncate(second)
    choice = choose_snapshot(warehouse_file)
    assert choice.snapshot == first
    note = choice.fallback_note()
    assert note is not None and "run-1.duckdb" in note
    assert "run-2.duckdb is damaged or incomplete" in note


def test_a_current_snapshot_of_an_older_schema_falls_back(
    warehouse_file: Path, tmp_path: Path
) -> None:
    first = publish_snapshot(warehouse_file, "run-1")
    older = older_schema_database(tmp_path / "older.duckdb")
    place_as_current(warehouse_file, older, "run-2.duckdb")
    choice = choose_snapshot(warehouse_file)
    assert choice.snapshot == first
    newest = expected_versions()[-1]
    assert f"run-2.duckdb was written by an older Findings (schema version {newest - 1}; " in (
        choice.fallback_note() or ""
    )


def test_a_pointer_to_a_missing_snapshot_falls_back_to_the_newest_kept(
    warehouse_file: Path,
) -> None:
    first = publish_snapshot(warehouse_file, "run-1")
    (published_dir(warehouse_file) / CURRENT).write_text("run-9.duckdb\n")
    choice = choose_snapshot(warehouse_file)
    assert choice.snapshot == first
    assert "names run-9.duckdb, which is not there" in (choice.fallback_note() or "")


def test_with_no_readable_snapshot_the_choice_names_every_problem(
    warehouse_file: Path, tmp_path: Path
) -> None:
    truncate(publish_snapshot(warehouse_file, "run-1"))
    place_as_current(warehouse_file, older_schema_database(tmp_path / "o.duckdb"), "run-2.duckdb")
    choice = choose_snapshot(warehouse_file)
    assert choice.snapshot is None
    assert "run-2.duckdb was written by an older Findings" in choice.problem()
    assert "run-1.duckdb is damaged or incomplete" in choice.problem()


def test_publish_refuses_to_publish_a_snapshot_readers_could_not_read(tmp_path: Path) -> None:
    older = older_schema_database(tmp_path / "older.duckdb")
    with pytest.raises(SnapshotError, match="older Findings"):
        publish_snapshot(older, "run-1")
    assert current_snapshot(older) is None


# What a command-line reader opens.


def test_a_reader_opens_the_warehouse_before_anything_is_published_and_no_one_writes(
    warehouse_file: Path,
) -> None:
    assert read_target(warehouse_file).path == warehouse_file


def test_a_reader_meeting_a_writer_before_the_first_snapshot_gets_one_plain_line(
    warehouse_file: Path,
) -> None:
    with (
        holding(warehouse_file, command="findings ingest"),
        pytest.raises(WarehouseBusyError) as busy,
    ):
        read_target(warehouse_file)
    message = str(busy.value)
    assert message.startswith(f"the warehouse {warehouse_file} is being written by `findings")
    assert message.endswith("results appear when it finishes") and "\n" not in message


def test_a_reader_meeting_a_writer_reads_the_snapshot(warehouse_file: Path) -> None:
    snapshot = publish_snapshot(warehouse_file, "run-1")
    with holding(warehouse_file, command="findings ingest"):
        assert read_target(warehouse_file) == read_target(warehouse_file, prefer_warehouse=False)
        target = read_target(warehouse_file, prefer_warehouse=True)
        assert target.path == snapshot
        with connect(target.path, read_only=True) as con:
            assert con.execute("SELECT count(*) FROM documents").fetchone() == (1,)
    assert target.note is not None and "being written by `findings ingest`" in target.note
    assert read_target(warehouse_file, prefer_warehouse=True).path == warehouse_file


def test_a_reader_with_no_readable_snapshot_is_told_the_fix(warehouse_file: Path) -> None:
    truncate(publish_snapshot(warehouse_file, "run-1"))
    with pytest.raises(SnapshotError, match=r"run `findings run` to publish a fresh snapshot$"):
        read_target(warehouse_file)


def test_an_unpublished_warehouse_of_an_older_schema_is_named_not_read(tmp_path: Path) -> None:
    older = older_schema_database(tmp_path / "older.duckdb")
    with pytest.raises(SnapshotError, match=r"older Findings .* run `findings run`"):
        read_target(older)
