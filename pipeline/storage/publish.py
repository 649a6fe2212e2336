"""Publishing read-only snapshots, and the lock that keeps two runs from writing at once.

DuckDB lets one process write a database file and blocks other processes from opening it
meanwhile. A run therefore writes to the warehouse, then publishes a copy as
`published/<run_id>.duckdb` and atomically repoints `published/current` at it; readers (the
viewer, `findings query`, `findings search`) open the current snapshot read-only and never wait
for a run. The last few snapshots are kept so a reader that opened an older one can finish.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
from filelock import FileLock, Timeout

from pipeline.errors import RunInProgressError
from pipeline.faults import crash_point

CURRENT = "current"
_SAFE_RUN_ID = re.compile(r"^[A-Za-z0-9_.-]+$")


def published_dir(db_path: Path) -> Path:
    """Where a warehouse's snapshots live: `published/` beside it."""
    return db_path.parent / "published"


@contextmanager
def run_lock(db_path: Path) -> Iterator[None]:
    """Hold the warehouse's run lock, or fail at once with a clear message."""
    lock_path = db_path.with_name(db_path.name + ".lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(lock_path), timeout=0)
    try:
        lock.acquire()
    except Timeout as exc:
        raise RunInProgressError(
            f"a run is already in progress on {db_path} (lock {lock_path}); try again when it ends"
        ) from exc
    try:
        yield
    finally:
        lock.release()


def publish_snapshot(db_path: Path, run_id: str, keep: int = 3) -> Path:
    """Copy the warehouse to `published/<run_id>.duckdb`, repoint `current`, prune old copies.

    The caller must have closed its write connection (DuckDB checkpoints on close), so the file
    on disk is complete.
    """
    if not _SAFE_RUN_ID.match(run_id):
        raise ValueError(f"run id {run_id!r} is not safe as a file name")
    folder = published_dir(db_path)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{run_id}.duckdb"
    partial = folder / f".{run_id}.duckdb.partial"
    shutil.copyfile(db_path, partial)
    with duckdb.connect(str(partial), read_only=True) as check:
        check.execute("SELECT count(*) FROM documents").fetchone()
    os.replace(partial, target)
    crash_point("publish:before-pointer")
    pointer = folder / f".{CURRENT}.tmp"
    pointer.write_text(target.name + "\n", encoding="utf-8")
    os.replace(pointer, folder / CURRENT)  # atomic on POSIX: readers see old or new, never half
    snapshots = sorted(folder.glob("*.duckdb"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in snapshots[keep:]:
        if old != target:
            old.unlink(missing_ok=True)
    return target


def current_snapshot(db_path: Path) -> Path | None:
    """The snapshot readers should open, if one has been published."""
    pointer = published_dir(db_path) / CURRENT
    if not pointer.is_file():
        return None
    snapshot = pointer.parent / pointer.read_text(encoding="utf-8").strip()
    return snapshot if snapshot.is_file() else None


def readable_database(db_path: Path) -> Path:
    """What a reader opens: the current snapshot, else the warehouse itself."""
    return current_snapshot(db_path) or db_path
