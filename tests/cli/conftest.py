"""A warehouse themed by the CLI itself, for the tests of `themes` and of the drafted report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.cli import app
from tests.cli.commands import runner
from tests.conftest import DOCUMENTS


@pytest.fixture(scope="session")
def named_db(tmp_path_factory: pytest.TempPathFactory, prefect_api: None) -> tuple[Path, dict]:
    """Our own test documents (one transcript full of names, numbers and e-mails), themed.

    Returns the warehouse and what `findings themes --json` printed.
    """
    db = tmp_path_factory.mktemp("named") / "w.duckdb"
    ingest = runner.invoke(app, ["ingest", str(DOCUMENTS), "--db", str(db), "--json"])
    assert ingest.exit_code == 0, ingest.output
    assert runner.invoke(app, ["embed", "--db", str(db)]).exit_code == 0
    themes = runner.invoke(app, ["themes", "--db", str(db), "--json"])
    assert themes.exit_code == 0, themes.output
    return db, json.loads(themes.stdout)
