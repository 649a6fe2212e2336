from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.cli import app
from pipeline.errors import MigrationError, NotEnoughPassagesError
from tests.cli.commands import command_tree, runner
from tests.conftest import REPO


def listed_commands(help_text: str) -> set[str]:
    """Command names from the 'Commands' panel of a help screen."""
    panel = help_text.split("Commands", 1)[1]
    return set(re.findall(r"^│ (\w[\w-]*) ", panel, flags=re.MULTILINE))


def test_every_command_the_readme_shows_exists() -> None:
    readme = (REPO / "README.md").read_text()
    shown = set(re.findall(r"findings ([a-z]+(?: [a-z]+)?)", readme))
    tree = command_tree()
    for words in shown:
        first = words.split()[0]
        if first in ("twice",):  # prose ("findings twice gives"), not a command
            continue
        name = words if words in tree else first
        assert name in tree, f"README shows `findings {words}`, which the CLI lacks"
        assert runner.invoke(app, [*name.split(), "--help"]).exit_code == 0


def test_python_m_and_the_script_offer_the_same_commands() -> None:
    env = {"PATH": "/usr/bin:/bin", "HF_HUB_OFFLINE": "1", "COLUMNS": "120"}
    script = Path(sys.executable).parent / "findings"
    by_script = subprocess.run(
        [str(script), "--help"], env=env, capture_output=True, text=True, check=True
    ).stdout
    by_module = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "--help"],
        env=env, capture_output=True, text=True, check=True, cwd=REPO,
    ).stdout  # fmt: skip
    assert listed_commands(by_module) == listed_commands(by_script)
    assert {"export", "import", "query", "run", "serve"} <= listed_commands(by_module)


def test_every_command_says_what_it_does() -> None:
    for name, command in command_tree().items():
        assert (command.help or "").strip(), f"`findings {name}` has no help"


HELP_AND_LOADED = """
import json, sys
from pipeline.cli import app
try:
    app(["--help"])
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def test_help_loads_no_model_data_frame_or_orchestrator() -> None:
    completed = subprocess.run(
        [sys.executable, "-c", HELP_AND_LOADED],
        capture_output=True, text=True, check=True, cwd=REPO, env={"HF_HUB_OFFLINE": "1"},
    )  # fmt: skip
    loaded = {name.split(".")[0] for name in json.loads(completed.stderr)}
    assert not loaded & {"torch", "spacy", "pandas", "prefect", "duckdb", "numpy"}


def fail_with(monkeypatch: pytest.MonkeyPatch, error: Exception) -> None:
    """Make `findings status` fail with `error` once it has found the warehouse."""

    def warehouse_status(db_path: Path) -> dict:
        raise error

    monkeypatch.setattr("pipeline.queries.runs.warehouse_status", warehouse_status)


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (MigrationError("the warehouse is from a newer Findings"), "the warehouse is from a newer"),
        (
            NotEnoughPassagesError("only 3 embedded passages: themes need at least 10"),
            "only 3 embedded passages: themes need at least 10: run `findings embed` first",
        ),
        (PermissionError("[Errno 13] Permission denied: 'w.duckdb'"), "Permission denied"),
        (KeyError("run_id"), "unexpected error: KeyError: 'run_id' (`findings --debug"),
    ],
)
def test_an_error_is_one_line_and_exit_1(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, error: Exception, message: str
) -> None:
    db = tmp_path / "w.duckdb"
    db.touch()
    fail_with(monkeypatch, error)
    result = runner.invoke(app, ["status", "--db", str(db)])
    assert result.exit_code == 1
    assert message in " ".join(result.output.split())
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_debug_raises_the_error_itself(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    db.touch()
    error = MigrationError("the warehouse is from a newer Findings")
    fail_with(monkeypatch, error)
    result = runner.invoke(app, ["--debug", "status", "--db", str(db)])
    assert result.exception is error
    again = runner.invoke(app, ["status", "--db", str(db)])  # --debug is for one invocation
    assert again.exit_code == 1 and again.exception is not error
