from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from pipeline.cli.prefect_server import TemporaryApi

REPO = Path(__file__).resolve().parents[2]

# Starts the temporary API as `findings run` does, then runs a flow: one API, already up.
STARTED_EARLY = """
import json, urllib.request
from pipeline.cli.prefect_server import TemporaryApi
api = TemporaryApi()
api.wait()
from prefect.server.api.server import SubprocessASGIServer
server = SubprocessASGIServer()
with urllib.request.urlopen(server.api_url + "/health", timeout=5) as answer:
    health = answer.status
from prefect import flow

@flow
def one() -> int:
    return 1

print(json.dumps({
    "health": health,
    "flow": one(),
    "started": api.started,
    "servers": len(SubprocessASGIServer._instances),
    "same_port": SubprocessASGIServer().port == server.port,
}))
"""


def test_the_temporary_api_is_up_when_waited_for_and_the_flow_uses_it(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env["PREFECT_HOME"] = str(tmp_path / "prefect")
    result = subprocess.run(
        [sys.executable, "-c", STARTED_EARLY],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer == {
        "health": 200,
        "flow": 1,
        "started": True,
        "servers": 1,
        "same_port": True,
    }


def test_no_api_is_started_where_one_is_configured() -> None:
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings({PREFECT_API_URL: "http://127.0.0.1:9/api"}):
        api = TemporaryApi()
    api.wait()
    assert not api.started
