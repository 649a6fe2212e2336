from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.cli import app
from pipeline.cli.app import message_for
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


def test_a_bad_setting_is_one_line_naming_its_variable(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["status", "--db", str(tmp_path / "w.duckdb")], env={"FINDINGS_MAX_FILE_MB": "lots"}
    )
    assert result.exit_code == 1
    assert result.output.startswith("bad setting FINDINGS_MAX_FILE_MB: ")
    assert "'lots'" in result.output and len(result.output.strip().splitlines()) == 1


def test_an_error_message_over_many_lines_is_printed_on_one() -> None:
    assert message_for(OSError("line one\n  line two")) == "line one line two"


def test_a_file_duckdb_cannot_read_is_named_without_calling_it_unexpected(tmp_path: Path) -> None:
    import duckdb

    not_a_database = tmp_path / "w.duckdb"
    not_a_database.write_text("not a database")
    with pytest.raises(duckdb.IOException) as refused:
        duckdb.connect(str(not_a_database))
    message = message_for(refused.value)
    assert str(not_a_database) in message and not message.startswith("unexpected")


@pytest.mark.parametrize(
    "args", [["query", "quotes", "--theme", "1", "--limit", "0"], ["search", "x", "--limit", "-5"]]
)
def test_a_count_below_one_is_a_usage_error(tmp_path: Path, args: list[str]) -> None:
    result = runner.invoke(app, [*args, "--db", str(tmp_path / "w.duckdb")])
    assert result.exit_code == 2 and "--limit" in result.output
