"""Answers read at 80 columns, dates are dates, and `status` agrees with `query themes`."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.cli import app
from tests.cli.commands import runner
from tests.conftest import REPO


def at_80_columns(*args: str) -> str:
    """What `findings ARGS` prints to a terminal 80 columns wide."""
    env = {**os.environ, "COLUMNS": "80", "HF_HUB_OFFLINE": "1"}
    completed = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", *args],
        capture_output=True, text=True, check=True, cwd=REPO, env=env,
    )  # fmt: skip
    return completed.stdout


def test_query_themes_at_80_columns_cuts_no_word_or_number(themed_db: Path) -> None:
    shown = at_80_columns("query", "themes", "--db", str(themed_db))
    ranked = json.loads(
        runner.invoke(app, ["query", "themes", "--db", str(themed_db), "--json"]).stdout
    )
    assert "…" not in shown
    assert max(len(line) for line in shown.splitlines()) <= 80
    words = set(shown.split())
    for row in ranked:
        assert row["status"] in words
        assert set(row["label"].split()) <= words, row["label"]
        assert f"{row['n_documents']}/" in shown


def test_quotes_at_80_columns_cut_nothing(themed_db: Path) -> None:
    shown = at_80_columns("query", "quotes", "--theme", "1", "--db", str(themed_db))
    assert "…" not in shown
    assert max(len(line) for line in shown.splitlines()) <= 80


@pytest.mark.parametrize(
    "args",
    [
        ["query", "themes", "--json"],
        ["query", "quotes", "--theme", "1", "--json"],
        ["search", "debt", "--mode", "keyword", "--json"],
    ],
)
def test_json_dates_are_dates_not_midnights(themed_db: Path, args: list[str]) -> None:
    result = runner.invoke(app, [*args, "--db", str(themed_db)])
    assert result.exit_code == 0, result.output
    assert "00:00:00" not in result.stdout
    assert re.search(r'"\d{4}-\d{2}-\d{2}"', result.stdout)


def test_status_and_query_themes_agree_on_each_themes_status(themed_db: Path) -> None:
    status = json.loads(runner.invoke(app, ["status", "--db", str(themed_db), "--json"]).stdout)
    ranked = json.loads(
        runner.invoke(app, ["query", "themes", "--db", str(themed_db), "--json"]).stdout
    )
    by_theme = {row["theme_id"]: row["status"] for row in ranked}
    assert status["themes"]
    for row in status["themes"]:
        assert row["status"] == by_theme[row["theme_id"]], row
