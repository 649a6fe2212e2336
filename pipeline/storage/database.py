"""Opening the warehouse file.

DuckDB lets one process open a file for writing and then refuses every other process, readers
included, with an IOException. Findings' own writers take the run lock first and its readers
read published snapshots, so that refusal means something outside that story holds the file (a
reader that opened the warehouse just before a run began, a DuckDB shell, a script): it becomes
one line naming the file and the holder, and a writer waits a few seconds for it first.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import duckdb

from pipeline.errors import WarehouseBusyError
from pipeline.storage.migrations import apply_migrations

# How long a writer waits for another process to let go of the file: readers of an unpublished
# warehouse hold it for the length of one query.
WRITER_WAIT_S = 10.0
_HOLDER = re.compile(r"Conflicting lock is held in (?P<holder>.+?)(?:\. |$)")


def connect(db_path: Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open a DuckDB file; the parent folder is created for a writable connection.

    Raises:
        WarehouseBusyError: another process has the file open in a way that excludes this one.
    """
    if not read_only:
        db_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        return duckdb.connect(str(db_path), read_only=read_only)
    except duckdb.IOException as exc:
        if "Could not set lock" not in str(exc):
            raise
        found = _HOLDER.search(str(exc))
        holder = f" ({found['holder']})" if found else ""
        raise WarehouseBusyError(
            f"{db_path} is open in another process{holder}; try again when it has finished"
        ) from exc


def open_warehouse(db_path: Path, *, wait_s: float = WRITER_WAIT_S) -> duckdb.DuckDBPyConnection:
    """Open the warehouse for writing with its schema migrated to the latest version.

    The caller holds the run lock (`pipeline.storage.publish.run_lock`), so no other writer is
    running; a process that still has the file open is waited for up to `wait_s` seconds.
    """
    deadline = time.monotonic() + wait_s
    while True:
        try:
            con = connect(db_path)
            break
        except WarehouseBusyError:
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.2)
    apply_migrations(con)
    return con
