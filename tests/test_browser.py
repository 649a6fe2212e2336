"""The viewer in a real browser: served on 127.0.0.1, loaded by headless Chromium."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from pipeline.queries import theme_overview
from tests.browser import Browser, chromium_binary
from tests.conftest import REPO

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def chromium() -> str:
    """Chromium on PATH, installed with apt by scripts/ensure_chromium.sh when missing."""
    if chromium_binary() is None:
        done = subprocess.run(
            ["bash", str(REPO / "scripts" / "ensure_chromium.sh")], capture_output=True, text=True
        )
        if chromium_binary() is None:
            pytest.fail(f"chromium is missing and could not be installed: {done.stderr[-500:]}")
    return str(chromium_binary())


@pytest.fixture(scope="module")
def served_app(themed_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`streamlit run app.py` on a free local port, reading the themed sample corpus."""
    codebook = tmp_path_factory.mktemp("codebook") / "codebook.yaml"
    shutil.copy(REPO / "models" / "codebook.yaml", codebook)
    port = free_port()
    env = os.environ | {"FINDINGS_DB": str(themed_db), "FINDINGS_CODEBOOK": str(codebook)}
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            time.sleep(0.5)
    else:
        server.kill()
        pytest.fail(f"streamlit did not become healthy: {server.stdout.read()[-2000:]!r}")
    yield url
    server.terminate()
    server.wait(timeout=20)


def test_the_landing_page_shows_a_theme_from_the_database(
    chromium: str, served_app: str, themed_db: Path, tmp_path: Path
) -> None:
    with duckdb.connect(str(themed_db), read_only=True) as con:
        top = theme_overview(con).iloc[0]["label"]
    with Browser() as browser:
        browser.open(served_app)
        browser.wait_for_text("What changed in the latest run", timeout=90)  # page done
        text = browser.wait_for_text(top, timeout=30)
        time.sleep(1.5)  # let the data grid and sparklines paint
        shot = browser.screenshot(tmp_path / "national.png")
    assert "National findings" in text and "Headline themes" in text
    assert shot.stat().st_size > 20_000  # a drawn page, not a blank one
    print(f"screenshot: {shot}")
