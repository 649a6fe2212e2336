"""`--theme` takes an id, a label in any case or the start of one; outputs name themes by label."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.cli import app
from tests.cli.commands import runner


def ranked(db: Path) -> list[dict]:
    """`query themes --json` over `db`."""
    result = runner.invoke(app, ["query", "themes", "--db", str(db), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def quoted_theme(db: Path, theme: str) -> int:
    """The theme id `query quotes --theme THEME --json` answered for."""
    result = runner.invoke(app, ["query", "quotes", "--theme", theme, "--db", str(db), "--json"])
    assert result.exit_code == 0, result.output
    (theme_id,) = {row["theme_id"] for row in json.loads(result.stdout)}
    return theme_id


@pytest.mark.parametrize("spelling", [str.lower, str.upper, lambda label: label])
def test_quotes_take_a_label_in_any_case(themed_db: Path, spelling) -> None:
    first = ranked(themed_db)[0]
    assert quoted_theme(themed_db, spelling(first["label"])) == first["theme_id"]


def test_quotes_take_a_unique_start_of_a_label(themed_db: Path) -> None:
    labels = {row["label"]: row["theme_id"] for row in ranked(themed_db)}
    for label, theme_id in labels.items():
        starts = [label[:n] for n in range(3, len(label) + 1)]
        unique = next(
            s for s in starts if [o for o in labels if o.lower().startswith(s.lower())] == [label]
        )
        assert quoted_theme(themed_db, unique.lower()) == theme_id, unique


def test_an_ambiguous_start_is_one_line_naming_every_candidate(themed_db: Path) -> None:
    labels = {row["label"]: row["theme_id"] for row in ranked(themed_db)}
    initials = [label[0] for label in labels]
    shared = next(i for i in initials if initials.count(i) > 1)
    result = runner.invoke(app, ["query", "trends", "--theme", shared, "--db", str(themed_db)])
    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1
    for label, theme_id in labels.items():
        if label.startswith(shared):
            assert f"{label} #{theme_id}" in result.output


def test_a_name_no_theme_has_is_one_line_saying_where_themes_are_listed(themed_db: Path) -> None:
    result = runner.invoke(
        app, ["query", "quotes", "--theme", "zzz no such theme", "--db", str(themed_db)]
    )
    assert result.exit_code == 1
    assert "findings query themes" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_trends_and_quotes_name_the_theme_by_label_and_id(themed_db: Path) -> None:
    first = ranked(themed_db)[0]
    for command in ("trends", "quotes"):
        result = runner.invoke(
            app, ["query", command, "--theme", str(first["theme_id"]), "--db", str(themed_db)]
        )
        assert result.exit_code == 0, result.output
        assert f"{first['label']} #{first['theme_id']}" in " ".join(result.output.split())
