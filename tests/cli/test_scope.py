"""The CLI beside a national report: quoted with its kind named, never counted as a review."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from pipeline.cli import app
from pipeline.queries import MENTIONED_IN_NATIONAL
from tests.cli.commands import runner


def _welsh_seed_theme(db: Path, seed_path: Path) -> int:
    """A theme holding a passage of the seed that names a place in Wales (raw SQL)."""
    with duckdb.connect(str(db), read_only=True) as con:
        (theme,) = con.execute(
            "SELECT pt.theme_id FROM passage_themes AS pt "
            "JOIN passages AS p USING (passage_id) JOIN documents AS d USING (doc_id) "
            "JOIN places AS pl ON list_contains(p.places, pl.name) "
            "WHERE d.path LIKE ? AND pl.region = 'Wales' AND pt.theme_id <> -1 "
            "AND pt.run_id = (SELECT run_id FROM latest_theme_run) "
            "ORDER BY pt.probability DESC LIMIT 1",
            [f"%{seed_path.name}"],
        ).fetchone()
    return theme


def test_quotes_under_a_region_name_a_national_report_that_mentions_it(
    seeded: dict[str, Path], seed_path: Path
) -> None:
    db = seeded["inferred"]
    theme = _welsh_seed_theme(db, seed_path)
    args = ["query", "quotes", "--theme", str(theme), "--region", "Wales", "--limit", "200"]
    result = runner.invoke(app, [*args, "--db", str(db)], env={"COLUMNS": "300"})
    assert result.exit_code == 0, result.output
    assert MENTIONED_IN_NATIONAL in result.output


def test_status_counts_the_seed_as_a_national_document(seeded: dict[str, Path]) -> None:
    result = runner.invoke(app, ["status", "--db", str(seeded["inferred"]), "--json"])
    counts = json.loads(result.stdout)["counts"]
    assert (counts["documents"], counts["national_documents"]) == (24, 1)


def test_status_and_query_themes_count_the_same_passages(seeded: dict[str, Path]) -> None:
    db = str(seeded["inferred"])
    status = json.loads(runner.invoke(app, ["status", "--db", db, "--json"]).stdout)
    ranked = json.loads(runner.invoke(app, ["query", "themes", "--db", db, "--json"]).stdout)
    counted = {row["theme_id"]: (row["n_documents"], row["n_passages"]) for row in ranked}
    assert status["themes"]
    for row in status["themes"]:
        assert (row["documents"], row["passages"]) == counted[row["theme_id"]], row


def test_status_says_one_national_document_in_the_singular(seeded: dict[str, Path]) -> None:
    result = runner.invoke(app, ["status", "--db", str(seeded["inferred"])])
    said = " ".join(result.stdout.split())
    assert "1 national document," in said and "1 national documents" not in said
