"""`findings ingest` over a folder it cannot wholly read: the part it cannot read is an error."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO
from tests.helpers import unprivileged


def test_a_folder_that_cannot_be_read_is_an_error_and_the_rest_is_ingested(
    locked_folder: Path, tmp_path: Path
) -> None:
    findings = Path(sys.executable).parent / "findings"
    command = [str(findings), "ingest", str(locked_folder), "--db", str(tmp_path / "w.duckdb")]
    completed = subprocess.run(
        unprivileged([*command, "--json"]),
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
        env=os.environ | {"HF_HUB_OFFLINE": "1"},
    )
    assert completed.returncode == 1, completed.stderr
    report = json.loads(completed.stdout)
    assert report["added"] == 1
    unreadable = {
        "path": str(locked_folder / "locked"),
        "reason": "folder cannot be read: permission denied",
    }
    assert report["errors"] == [unreadable]
