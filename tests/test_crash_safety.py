"""A run killed with SIGKILL at any point, then rerun, ends exactly as one clean run.

Each case runs `findings run` in a real subprocess that kills itself (kill -9) at a named
point (pipeline/faults.py), then runs it again normally, and compares the warehouse with a
warehouse built by one clean run: documents, passages, embeddings, theme assignments.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from pipeline.storage.publish import current_snapshot
from tests.conftest import CORPUS
from tests.test_serve import free_port

pytestmark = pytest.mark.slow

DOCUMENTS = (
    "02_bedford_practitioner_interviews.txt",
    "09_warrington_review_notes.txt",
    "19_lincoln_practitioner_interviews.txt",
)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("crash-corpus")
    for name in DOCUMENTS:
        shutil.copy(CORPUS / name, folder / name)
    with (CORPUS / "manifest.csv").open() as source:
        lines = source.read().splitlines()
    kept = [lines[0]] + [line for line in lines[1:] if line.split(",")[0] in DOCUMENTS]
    (folder / "manifest.csv").write_text("\n".join(kept) + "\n")
    return folder


@pytest.fixture(scope="module")
def prefect_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One Prefect home for the module's runs: its database is migrated once, not per run."""
    return tmp_path_factory.mktemp("prefect-home")


@pytest.fixture(scope="module")
def prefect_server(prefect_home: Path) -> Iterator[str]:
    """A real Prefect server for the killed runs and their reruns, as a unit's scheduler has.

    Each run without one starts (and a killed one abandons) a temporary server of its own: about
    12 s a run. The clean run keeps that path, the one `make run` takes.
    """
    port = free_port()
    env = os.environ | {
        "PREFECT_HOME": str(prefect_home),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    }
    env.pop("PREFECT_API_URL", None)
    prefect = Path(sys.executable).with_name("prefect")
    server = subprocess.Popen(
        [str(prefect), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/api"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=5):
                    break
            except OSError:
                assert server.poll() is None, "the Prefect server stopped while starting"
                assert time.monotonic() < deadline, "the Prefect server did not start"
                time.sleep(0.5)
        yield url
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def run(
    corpus: Path,
    db: Path,
    prefect_home: Path,
    crash_at: str | None = None,
    api_url: str | None = None,
) -> subprocess.CompletedProcess:
    env = os.environ | {
        "PREFECT_HOME": str(prefect_home),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "HF_HUB_OFFLINE": "1",
        "FINDINGS_EMBED_BATCH_SIZE": "16",  # several batches, so a kill can land between them
    }
    env.pop("PREFECT_API_URL", None)
    if api_url:
        env["PREFECT_API_URL"] = api_url
    env.pop("FINDINGS_CRASH_AT", None)
    if crash_at:
        env["FINDINGS_CRASH_AT"] = crash_at
    findings = Path(sys.executable).with_name("findings")
    out, err = db.parent / "run.out", db.parent / "run.err"
    db.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w") as stdout, err.open("w") as stderr:
        # A new session, so that a run killed with SIGKILL cannot leave its temporary Prefect
        # server behind: the whole group is killed once the run itself has ended.
        process = subprocess.Popen(
            [str(findings), "run", "--corpus", str(corpus), "--db", str(db), "--json"],
            env=env,
            stdout=stdout,
            stderr=stderr,
            start_new_session=True,
        )
        try:
            returncode = process.wait(timeout=300)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
    return subprocess.CompletedProcess(process.args, returncode, out.read_text(), err.read_text())


def state(db: Path) -> dict[str, object]:
    with duckdb.connect(str(db), read_only=True) as con:

        def one(sql: str) -> object:
            return con.execute(sql).fetchall()

        return {
            "documents": one("SELECT doc_id, path, area, review_date FROM documents ORDER BY 1"),
            "passages": one("SELECT passage_id, char_start, char_end FROM passages ORDER BY 1"),
            "embeddings": one("SELECT text_sha, model FROM embeddings ORDER BY 1"),
            "assignments": one(
                "SELECT passage_id, theme_id FROM passage_themes "
                "WHERE run_id = (SELECT run_id FROM latest_theme_run) ORDER BY 1"
            ),
            "themes": one(
                "SELECT theme_id, label FROM themes WHERE status <> 'dormant' ORDER BY 1"
            ),
            "orphan_passages": one(
                "SELECT count(*) FROM passages WHERE doc_id NOT IN (SELECT doc_id FROM documents)"
            ),
            "unembedded": one(
                "SELECT count(*) FROM passages p WHERE NOT EXISTS "
                "(SELECT 1 FROM embeddings e WHERE e.text_sha = p.text_sha)"
            ),
            "errors": one("SELECT count(*) FROM ingest_errors"),
        }


@pytest.fixture(scope="module")
def clean(
    corpus: Path, prefect_home: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, object]:
    db = tmp_path_factory.mktemp("clean") / "findings.duckdb"
    completed = run(corpus, db, prefect_home)
    assert completed.returncode == 0, completed.stderr[-2000:]
    return state(db)


@pytest.mark.parametrize(
    "crash_at",
    [
        "ingest:mid-document",
        "embed:after-first-batch",
        "themes:before-commit",
        "publish:before-pointer",
    ],
)
def test_killed_run_then_rerun_equals_one_clean_run(
    corpus: Path,
    clean: dict[str, object],
    prefect_home: Path,
    prefect_server: str,
    tmp_path: Path,
    crash_at: str,
) -> None:
    db = tmp_path / "findings.duckdb"
    killed = run(corpus, db, prefect_home, crash_at, prefect_server)
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    rerun = run(corpus, db, prefect_home, api_url=prefect_server)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    after = state(db)
    assert after == clean
    assert after["orphan_passages"] == [(0,)] and after["unembedded"] == [(0,)]
    assert current_snapshot(db) is not None
    runs = theme_runs(db)
    statuses = [status for status, _ in runs]
    assert "running" not in statuses and statuses[-1] == "succeeded"  # none running forever
    assert statuses.count("aborted") == (1 if crash_at.startswith("themes:") else 0)
    assert all(finished for _, finished in runs)


def theme_runs(db: Path) -> list[tuple[str, bool]]:
    """(status, whether it has a finish time) of every theme run, oldest first."""
    with duckdb.connect(str(db), read_only=True) as con:
        return [
            (status, finished)
            for status, finished in con.execute(
                "SELECT status, finished_at IS NOT NULL FROM theme_runs ORDER BY started_at"
            ).fetchall()
        ]
