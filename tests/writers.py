"""A real second process that holds a warehouse's run lock (and, if asked, DuckDB's write lock).

The locking tests run against this rather than a mock: DuckDB's and the lock file's behaviour
across processes is the thing under test.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

HOLD = """
import sys, time
from pathlib import Path
from pipeline.storage import open_warehouse
from pipeline.storage.publish import run_lock

db, command, seconds, mode = Path(sys.argv[1]), sys.argv[2], float(sys.argv[3]), sys.argv[4]
with run_lock(db, command=command):
    connection = open_warehouse(db) if mode == "write" else None
    print("held", flush=True)
    time.sleep(seconds)
"""


@contextmanager
def holding(
    db: Path, *, command: str = "findings run", writing: bool = True, seconds: float = 300
) -> Iterator[subprocess.Popen]:
    """Another process holding `db`'s run lock (and its write connection when `writing`).

    It lets go after `seconds`, or when the block ends, whichever is first.
    """
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(db), command, str(seconds), "write" if writing else "-"],
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
        env=os.environ | {"PYTHONPATH": str(REPO)},
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        yield holder
    finally:
        holder.kill()
        holder.wait()
