"""`findings query compare`: one place against the rest, theme by theme (k/n, lift, Fisher p)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from scipy.stats import fisher_exact

from pipeline.cli import app
from tests.cli.commands import runner


def compared(db: Path, *place: str) -> list[dict]:
    result = runner.invoke(app, ["query", "compare", *place, "--db", str(db), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def reviews_by_region(db: Path) -> dict[str, int]:
    result = runner.invoke(app, ["status", "--db", str(db), "--json"])
    return {
        row["region"]: row["documents"]
        for row in json.loads(result.stdout)["by_region"]
        if not row["region"].startswith("(")
    }


def test_each_theme_has_its_counts_here_and_elsewhere_and_fishers_p(
    seeded: dict[str, Path],
) -> None:
    db = seeded["inferred"]
    region = max(reviews_by_region(db).items(), key=lambda item: item[1])[0]
    rows = compared(db, "--region", region)
    assert rows
    for row in rows:
        table = [
            [row["in_place"], row["place_documents"] - row["in_place"]],
            [row["elsewhere"], row["elsewhere_documents"] - row["elsewhere"]],
        ]
        assert row["p_value"] == pytest.approx(fisher_exact(table)[1], rel=1e-6)
        assert row["place_documents"] == reviews_by_region(db)[region]


def test_the_table_shows_k_of_n_both_sides_with_the_theme_by_name(
    seeded: dict[str, Path],
) -> None:
    db = seeded["inferred"]
    region = max(reviews_by_region(db).items(), key=lambda item: item[1])[0]
    row = compared(db, "--region", region)[0]
    result = runner.invoke(app, ["query", "compare", "--region", region, "--db", str(db)])
    assert result.exit_code == 0, result.output
    line = next(line for line in result.output.splitlines() if f"#{row['theme_id']} " in line)
    assert f"{row['in_place']}/{row['place_documents']}" in line
    assert f"{row['elsewhere']}/{row['elsewhere_documents']}" in line
    assert row["label"].split()[0] in result.output


def test_a_place_with_one_or_two_reviews_is_warned_about(seeded: dict[str, Path]) -> None:
    db = seeded["inferred"]
    region, reviews = min(reviews_by_region(db).items(), key=lambda item: item[1])
    assert reviews <= 2  # the sample corpus has regions of one review
    result = runner.invoke(app, ["query", "compare", "--region", region, "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "nothing there can be significant" in " ".join(result.output.split())


def test_the_place_is_matched_whatever_its_case(seeded: dict[str, Path]) -> None:
    db = seeded["inferred"]
    region = next(iter(reviews_by_region(db)))
    assert compared(db, "--region", region.upper()) == compared(db, "--region", region)


def test_no_place_or_an_unknown_place_is_a_usage_error(seeded: dict[str, Path]) -> None:
    db = str(seeded["inferred"])
    assert runner.invoke(app, ["query", "compare", "--db", db]).exit_code == 2
    unknown = runner.invoke(app, ["query", "compare", "--region", "Atlantis", "--db", db])
    assert unknown.exit_code == 2 and "Atlantis" in unknown.output


def test_a_seed_without_place_or_date_compares_cleanly(seeded: dict[str, Path]) -> None:
    db = seeded["unplaced"]
    region = next(iter(reviews_by_region(db)))
    result = runner.invoke(app, ["query", "compare", "--region", region, "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert not re.search(r"\bnan\b|NaT|None\b|<NA>", result.output), result.output
