"""The run lock, publishing read-only snapshots, and choosing the snapshot a reader opens.

DuckDB lets one process write a database file and blocks other processes from opening it
meanwhile. So:
- everything that writes the warehouse (ingest, embed, themes, a run, a flow) holds the run lock
  first, and a second writer is refused at once with one line naming the holder (a flow may wait
  a bounded time instead);
- a run writes the warehouse, then publishes a copy as `published/<run_id>.duckdb` and atomically
  repoints `published/current` at it;
- readers (the viewer, `findings query`, `findings search`, exports) open a snapshot read-only
  and never wait for a run. They take the newest one this Findings can read: a snapshot that is
  damaged, or was written with another schema version (its `schema_migrations`, copied with it),
  is passed over for an older kept one, and the reader is told which and why. The viewer never
  opens the warehouse; the CLI reads it only when nothing is published and no writer holds it.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import re
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
from filelock import FileLock, Timeout

from pipeline.errors import RunInProgressError, SnapshotError, WarehouseBusyError
from pipeline.faults import crash_point
from pipeline.storage.database import connect
from pipeline.storage.migrations import expected_versions, recorded_versions

CURRENT = "current"
_SAFE_RUN_ID = re.compile(r"^[A-Za-z0-9_.-]+$")
FRESH_SNAPSHOT = "run `findings run` to publish a fresh snapshot"

# A reader asking whether a run holds the lock takes it for an instant; a writer arriving in that
# instant waits this long rather than being refused by a reader.
PROBE_GRACE_S = 1.0


def published_dir(db_path: Path) -> Path:
    """Where a warehouse's snapshots live: `published/` beside it."""
    return db_path.parent / "published"


def lock_path(db_path: Path) -> Path:
    """The warehouse's run lock file (it names the holder while held)."""
    return db_path.with_name(db_path.name + ".lock")


# The run lock.


@dataclass(frozen=True)
class RunHolder:
    """Who holds a warehouse's run lock, as the holder wrote it into the lock file."""

    command: str | None
    pid: int | None
    started_at: dt.datetime | None

    def describe(self) -> str:
        """`findings run` (pid 123, started 2024-05-01 02:00:03), or what of it is known."""
        if self.command is None:
            return "another process"
        details = [f"pid {self.pid}"] if self.pid else []
        if self.started_at:
            details.append(f"started {self.started_at:%Y-%m-%d %H:%M:%S}")
        return f"`{self.command}`" + (f" ({', '.join(details)})" if details else "")


_held: dict[str, int] = {}  # lock file -> how deeply this process holds it
_held_guard = threading.Lock()


def _write_holder(command: str) -> object:
    def write(descriptor: int) -> None:
        record = {
            "command": command,
            "pid": os.getpid(),
            "started_at": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        }
        os.ftruncate(descriptor, 0)  # a holder killed earlier may have left its record
        os.pwrite(descriptor, json.dumps(record).encode(), 0)

    return write


def _read_holder(path: Path) -> RunHolder:
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        started = record.get("started_at")
        return RunHolder(
            str(record["command"]),
            int(record["pid"]),
            dt.datetime.fromisoformat(started) if started else None,
        )
    except (OSError, ValueError, KeyError, TypeError):
        # Just taken and not yet written, or held by a Findings that wrote nothing.
        return RunHolder(None, None, None)


@contextmanager
def run_lock(
    db_path: Path, *, command: str = "findings run", wait_s: float = 0.0
) -> Iterator[None]:
    """Hold the warehouse's run lock while writing it.

    Re-entrant within a process: the CLI takes it before Prefect starts (so a refusal is one
    line, not a failed flow) and the flow takes it again. Another process's hold is waited for
    up to `wait_s` seconds (a flow started by a schedule may wait; a person is answered at once).

    Raises:
        RunInProgressError: another process holds it, naming that process.
    """
    path = lock_path(db_path)
    key = str(path.resolve())
    with _held_guard:
        reentered = key in _held
        if reentered:
            _held[key] += 1
    if reentered:
        try:
            yield
        finally:
            with _held_guard:
                _held[key] -= 1
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(
        str(path),
        timeout=wait_s + PROBE_GRACE_S,
        thread_local=False,  # a flow's tasks run in other threads of the holding process
        on_acquired=_write_holder(command),
    )
    try:
        lock.acquire()
    except Timeout as exc:
        raise RunInProgressError(
            f"a run is already in progress on {db_path}: {_read_holder(path).describe()}; "
            "try again when it ends"
        ) from exc
    with _held_guard:
        _held[key] = 1
    try:
        yield
    finally:
        with _held_guard:
            del _held[key]
        lock.release()


def run_holder(db_path: Path) -> RunHolder | None:
    """Who holds the warehouse's run lock now, or None when no one does."""
    path = lock_path(db_path)
    if not path.exists():  # released locks remove their file; only a killed holder leaves one
        return None
    with _held_guard:
        if str(path.resolve()) in _held:
            return _read_holder(path)
    probe = FileLock(str(path), timeout=0, thread_local=False)
    try:
        probe.acquire()
    except Timeout:
        return _read_holder(path)
    probe.release()
    return None


# Publishing.


def new_snapshot_id(stage: str) -> str:
    """A sortable id for a snapshot that no theme run names: time, then the stage."""
    return f"{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S%f}Z-{stage}"


def publish_snapshot(db_path: Path, run_id: str, keep: int = 3) -> Path:
    """Copy the warehouse to `published/<run_id>.duckdb`, repoint `current`, prune old copies.

    The caller must have closed its write connection (DuckDB checkpoints on close), so the file
    on disk is complete. The copy is checked as a reader would check it before `current` moves.
    """
    if not _SAFE_RUN_ID.match(run_id):
        raise ValueError(f"run id {run_id!r} is not safe as a file name")
    folder = published_dir(db_path)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{run_id}.duckdb"
    partial = folder / f".{run_id}.duckdb.partial"
    shutil.copyfile(db_path, partial)
    problem = snapshot_problem(partial)
    if problem:
        partial.unlink(missing_ok=True)
        raise SnapshotError(f"the snapshot of {db_path} {problem}; nothing was published")
    os.replace(partial, target)
    crash_point("publish:before-pointer")
    pointer = folder / f".{CURRENT}.tmp"
    pointer.write_text(target.name + "\n", encoding="utf-8")
    os.replace(pointer, folder / CURRENT)  # atomic on POSIX: readers see old or new, never half
    for old in _newest_first(folder)[keep:]:
        if old != target:
            old.unlink(missing_ok=True)
    return target


# Choosing what a reader opens.


def snapshot_problem(path: Path) -> str | None:
    """Why a database file cannot be read by this Findings (None when it can)."""
    try:
        stat = path.stat()
    except OSError:
        return "is missing"
    return _problem(str(path), stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=64)
def _problem(path: str, size: int, mtime_ns: int) -> str | None:
    # Keyed by size and time as well: a file replaced or truncated in place is checked afresh.
    # A file another process holds raises WarehouseBusyError, which is not cached.
    try:
        with connect(Path(path), read_only=True) as con:
            recorded = recorded_versions(con)
    except duckdb.Error as exc:
        reason = str(exc).splitlines()[0]
        return f"is damaged or incomplete ({reason})"
    expected = expected_versions()
    if recorded == expected:
        return None
    if not recorded:
        return "records no schema version (not written by Findings)"
    older = max(recorded) < max(expected)
    return (
        f"was written by {'an older' if older else 'a newer'} Findings (schema version "
        f"{max(recorded)}; this one reads {max(expected)})"
    )


@dataclass(frozen=True)
class PassedOver:
    """A snapshot a reader did not open, and why."""

    name: str
    reason: str


@dataclass(frozen=True)
class SnapshotChoice:
    """The snapshot to read (None when none will do) and the newer ones passed over."""

    snapshot: Path | None
    passed_over: tuple[PassedOver, ...]

    def fallback_note(self) -> str | None:
        """One line saying which snapshot is read and why it is not the current one."""
        if self.snapshot is None or not self.passed_over:
            return None
        why = "; ".join(f"{p.name} {p.reason}" for p in self.passed_over)
        return f"reading the older snapshot {self.snapshot.name}: {why}"

    def problem(self) -> str:
        """One line saying why nothing published can be read."""
        why = "; ".join(f"{p.name} {p.reason}" for p in self.passed_over)
        return f"no published snapshot can be read ({why})"


def _newest_first(folder: Path) -> list[Path]:
    found = []
    for path in folder.glob("*.duckdb"):
        try:
            found.append((path.stat().st_mtime_ns, path.name, path))
        except OSError:  # pruned by a publish since the glob
            continue
    return [path for _, _, path in sorted(found, reverse=True)]


def choose_snapshot(db_path: Path) -> SnapshotChoice:
    """The snapshot a reader should open: `current`, else the newest readable one kept."""
    folder = published_dir(db_path)
    if not folder.is_dir():
        return SnapshotChoice(None, ())
    kept = _newest_first(folder)
    passed: list[PassedOver] = []
    pointer = folder / CURRENT
    try:
        named = pointer.read_text(encoding="utf-8").strip()
    except OSError:
        named = None
        if kept:
            passed.append(PassedOver(f"{folder.name}/{CURRENT}", "is missing"))
    if named is not None:
        pointed = folder / named
        if pointed in kept:
            kept.remove(pointed)
            kept.insert(0, pointed)
        else:
            passed.append(
                PassedOver(f"{folder.name}/{CURRENT}", f"names {named}, which is not there")
            )
    for snapshot in kept:
        problem = snapshot_problem(snapshot)
        if problem is None:
            return SnapshotChoice(snapshot, tuple(passed))
        passed.append(PassedOver(snapshot.name, problem))
    return SnapshotChoice(None, tuple(passed))


def current_snapshot(db_path: Path) -> Path | None:
    """The snapshot readers should open, if one has been published and can be read."""
    return choose_snapshot(db_path).snapshot


def readable_database(db_path: Path) -> Path:
    """What a script reads: the snapshot readers should open, else the warehouse itself."""
    return current_snapshot(db_path) or db_path


@dataclass(frozen=True)
class ReadTarget:
    """The file a command-line reader opens, and a note when it is not the obvious one."""

    path: Path
    note: str | None = None


def read_target(db_path: Path, *, prefer_warehouse: bool = False) -> ReadTarget:
    """What a command-line reader opens, never the warehouse while a writer may hold it.

    The newest readable snapshot; before the first one, the warehouse itself when no writer
    holds it. With `prefer_warehouse` (status, which describes the warehouse) the warehouse
    when no writer holds it, else the snapshot.

    Raises:
        WarehouseBusyError: a writer holds the warehouse and nothing is published yet.
        SnapshotError: snapshots were published but none can be read, or the unpublished
            warehouse has another schema version.
    """
    holder = run_holder(db_path)
    if prefer_warehouse and holder is None and db_path.is_file():
        return _warehouse(db_path)
    choice = choose_snapshot(db_path)
    if choice.snapshot is not None:
        note = choice.fallback_note()
        if prefer_warehouse and holder is not None:
            note = f"{db_path} is being written by {holder.describe()}: " + (
                note or f"reading the snapshot {choice.snapshot.name}"
            )
        return ReadTarget(choice.snapshot, note)
    if choice.passed_over:
        raise SnapshotError(f"{choice.problem()}: {FRESH_SNAPSHOT}")
    if holder is not None:
        raise WarehouseBusyError(
            f"the warehouse {db_path} is being written by {holder.describe()} and nothing is "
            "published yet; results appear when it finishes"
        )
    return _warehouse(db_path)


def _warehouse(db_path: Path) -> ReadTarget:
    problem = snapshot_problem(db_path)
    # Only a schema this Findings cannot read is named here; a file that does not open at all
    # says so itself when the reader opens it.
    if problem and "schema version" in problem:
        raise SnapshotError(
            f"the warehouse {db_path} {problem}: run `findings run` to bring it up to date "
            "and publish a snapshot"
        )
    return ReadTarget(db_path)
