from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pipeline.cli import app
from tests.cli.commands import runner
from tests.conftest import SEED


def test_query_and_search_commands_answer_in_json(themed_db: Path) -> None:
    db = str(themed_db)
    themes = runner.invoke(app, ["query", "themes", "--db", db, "--region", "Wales", "--json"])
    assert themes.exit_code == 0, themes.output
    ranked = json.loads(themes.stdout)
    assert ranked and ranked[0]["n_documents"] <= 2
    theme = str(ranked[0]["theme_id"])
    quoted = runner.invoke(app, ["query", "quotes", "--theme", theme, "--db", db, "--json"])
    assert {"text", "title", "area", "region", "review_date", "speaker"} <= set(
        json.loads(quoted.stdout)[0]
    )
    trend = runner.invoke(
        app, ["query", "trends", "--theme", theme, "--by", "region", "--db", db, "--json"]
    )
    assert trend.exit_code == 0 and json.loads(trend.stdout)
    matrix = runner.invoke(app, ["query", "matrix", "--by", "review", "--db", db, "--json"])
    assert matrix.exit_code == 0 and json.loads(matrix.stdout)
    since = runner.invoke(app, ["query", "themes", "--db", db, "--since", "2019-13", "--json"])
    assert since.exit_code == 2
    found = runner.invoke(app, ["search", "Caister", "--db", db, "--json", "--limit", "3"])
    assert "Caister" in json.loads(found.stdout)[0]["text"]


def test_search_on_an_index_without_postings_exits_1_saying_what_to_do(
    db_without_postings: Path,
) -> None:
    found = runner.invoke(app, ["search", "Caister", "--db", str(db_without_postings)])
    assert found.exit_code == 1
    assert "findings run" in found.output
    assert "Traceback" not in found.output


def test_asking_before_any_warehouse_says_run_first(tmp_path: Path) -> None:
    result = runner.invoke(app, ["query", "themes", "--db", str(tmp_path / "none.duckdb")])
    assert result.exit_code == 1
    assert "run `findings run` first" in " ".join(result.output.split())


@pytest.mark.parametrize(
    "args",
    [
        ["status"],
        ["query", "themes"],
        ["query", "matrix", "--by", "area"],
        ["search", "cuckooing"],
        ["search", "Xanax"],
        ["search", "young people held in debt", "--semantic"],
    ],
)
def test_every_answer_on_the_seed_report_reads_cleanly(seed_themed_db: Path, args) -> None:
    # The seed has no region, force or date: what a command prints must not show NaN or fail.
    result = runner.invoke(app, [*args, "--db", str(seed_themed_db)])
    assert result.exit_code == 0, result.output
    assert result.output.strip()
    assert "Traceback" not in result.output
    assert not re.search(r"\bnan\b|NaT|None\b", result.output), result.output


def test_quotes_of_a_seed_theme_come_from_the_seed(seed_themed_db: Path) -> None:
    db = str(seed_themed_db)
    ranked = json.loads(runner.invoke(app, ["query", "themes", "--db", db, "--json"]).stdout)
    theme = str(ranked[0]["theme_id"])
    quoted = runner.invoke(app, ["query", "quotes", "--theme", theme, "--db", db, "--json"])
    assert quoted.exit_code == 0, quoted.output
    rows = json.loads(quoted.stdout)
    seed_text = " ".join(SEED.read_text(encoding="utf-8").split())
    assert rows and all(row["area"] == "National" for row in rows)
    assert all(" ".join(row["text"].split())[:60] in seed_text for row in rows)
