"""A replacement killed midway (SIGKILL) leaves the previous version whole; a rerun completes it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from pipeline.ingest.ingester import Ingester
from pipeline.settings import Settings
from pipeline.storage import open_warehouse
from tests.ingest.test_ingester import TRANSCRIPT
from tests.ingest.test_versions import EDITED

pytestmark = pytest.mark.slow

STATE = {
    "documents": "SELECT * EXCLUDE (ingested_at) FROM documents ORDER BY ALL",
    "passages": "SELECT * FROM passages ORDER BY ALL",
    "versions": "SELECT doc_id, source_path, replaced_by FROM document_versions ORDER BY ALL",
}


def ingest(folder: Path, db: Path, crash_at: str | None = None) -> subprocess.CompletedProcess:
    """`findings ingest` in a process of its own, killed at `crash_at` when given."""
    env = os.environ | {"HF_HUB_OFFLINE": "1"}
    env.pop("FINDINGS_CRASH_AT", None)
    if crash_at:
        env["FINDINGS_CRASH_AT"] = crash_at
    findings = Path(sys.executable).with_name("findings")
    return subprocess.run(
        [str(findings), "ingest", str(folder), "--db", str(db), "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def state(db: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {name: con.execute(sql).fetchall() for name, sql in STATE.items()}


def ingested_once(folder: Path, db: Path) -> Path:
    with open_warehouse(db) as con:
        report = Ingester(con, Settings(db=db)).ingest([folder])
    assert report.added == 1, report.errors
    return db


def test_a_replacement_killed_midway_keeps_the_old_version_then_completes(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "reviews"
    folder.mkdir()
    (folder / "blackpool.txt").write_text(TRANSCRIPT, encoding="utf-8")
    db = ingested_once(folder, tmp_path / "w.duckdb")
    before = state(db)
    (folder / "blackpool.txt").write_text(EDITED, encoding="utf-8")

    killed = ingest(folder, db, "ingest:mid-replace")
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    assert state(db) == before

    rerun = ingest(folder, db)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    assert json.loads(rerun.stdout)["replaced"] == 1
    after = state(db)
    fresh = ingested_once(folder, tmp_path / "fresh.duckdb")
    assert {k: v for k, v in after.items() if k != "versions"} == {
        k: v for k, v in state(fresh).items() if k != "versions"
    }
    assert [row[0] for row in after["versions"]] == [before["documents"][0][0]]
