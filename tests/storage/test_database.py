from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.errors import WarehouseBusyError
from pipeline.storage import connect, open_warehouse
from tests.writers import holding

READ_FOR = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
print("open", flush=True)
time.sleep(float(sys.argv[2]))
"""


@pytest.fixture
def warehouse_file(tmp_path: Path) -> Path:
    db = tmp_path / "findings.duckdb"
    open_warehouse(db).close()
    return db


def test_a_file_another_process_writes_is_one_line_naming_it(warehouse_file: Path) -> None:
    with holding(warehouse_file) as holder, pytest.raises(WarehouseBusyError) as busy:
        connect(warehouse_file, read_only=True)
    message = str(busy.value)
    assert message.startswith(f"{warehouse_file} is open in another process")
    assert f"(PID {holder.pid})" in message and "\n" not in message


def test_a_writer_waits_for_a_reader_to_let_go(warehouse_file: Path) -> None:
    reader = subprocess.Popen(
        [sys.executable, "-c", READ_FOR, str(warehouse_file), "2"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stdout is not None and reader.stdout.readline().strip() == "open"
        started = time.monotonic()
        with open_warehouse(warehouse_file, wait_s=30):
            waited = time.monotonic() - started
    finally:
        reader.kill()
        reader.wait()
    assert 0.5 < waited < 30


def test_a_writer_gives_up_on_a_reader_that_stays(warehouse_file: Path) -> None:
    reader = subprocess.Popen(
        [sys.executable, "-c", READ_FOR, str(warehouse_file), "300"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stdout is not None and reader.stdout.readline().strip() == "open"
        with pytest.raises(WarehouseBusyError, match="open in another process"):
            open_warehouse(warehouse_file, wait_s=1)
    finally:
        reader.kill()
        reader.wait()
