"""`findings serve` against a real Prefect server on 127.0.0.1: trigger a run, see it land."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.storage.publish import current_snapshot
from tests.conftest import CORPUS

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_served_refresh_runs_when_triggered(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    inbox = tmp_path / "inbox"
    corpus.mkdir()
    inbox.mkdir()
    shutil.copy(CORPUS / "02_bedford_practitioner_interviews.txt", corpus)
    shutil.copy(CORPUS / "19_lincoln_practitioner_interviews.txt", inbox)
    db = tmp_path / "data" / "findings.duckdb"
    port = free_port()
    bin_dir = Path(sys.executable).parent
    env = os.environ | {
        "PREFECT_HOME": str(tmp_path / "prefect-home"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "HF_HUB_OFFLINE": "1",
    }
    env.pop("PREFECT_API_URL", None)
    serve = subprocess.Popen(
        [
            str(bin_dir / "findings"),
            "serve",
            "--port",
            str(port),
            "--corpus",
            str(corpus),
            "--inbox",
            str(inbox),
            "--db",
            str(db),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        trigger_env = env | {"PREFECT_API_URL": f"http://127.0.0.1:{port}/api"}
        deadline = time.monotonic() + 120
        while True:  # the deployment exists once serve has registered it
            triggered = subprocess.run(
                [str(bin_dir / "prefect"), "deployment", "run", "refresh/nightly-refresh"],
                env=trigger_env,
                capture_output=True,
                text=True,
                check=False,
            )
            if triggered.returncode == 0:
                break
            assert serve.poll() is None, serve.stdout.read().decode() if serve.stdout else ""
            assert time.monotonic() < deadline, triggered.stdout + triggered.stderr
            time.sleep(2)
        deadline = time.monotonic() + 180
        while current_snapshot(db) is None:
            assert serve.poll() is None
            assert time.monotonic() < deadline, "the triggered run did not publish in time"
            time.sleep(2)
    finally:
        os.killpg(serve.pid, signal.SIGINT)
        try:
            serve.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(serve.pid, signal.SIGKILL)
    import duckdb

    with duckdb.connect(str(current_snapshot(db)), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM documents").fetchone() == (2,)
        assert con.execute("SELECT count(*) FROM theme_runs").fetchone() == (1,)
