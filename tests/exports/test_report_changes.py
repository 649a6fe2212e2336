"""The drafted report leads with what is changing and lists every changing theme."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from pipeline.exports.report import build_report, render_markdown
from pipeline.queries import theme_overview
from pipeline.themes.codebook import Codebook
from tests.conftest import SEED_VARIANTS

CHANGING = ("new", "emerging", "spreading", "fading")


@pytest.fixture(scope="module")
def con(themed_db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    with duckdb.connect(str(themed_db), read_only=True) as connection:
        yield connection


@pytest.fixture(scope="module")
def report(con):
    return build_report(con, Codebook(), top=3)


def test_the_headline_list_holds_every_changing_theme_after_the_top_ones(con, report) -> None:
    ranking = theme_overview(con)
    top = list(ranking["label"].head(3))
    moving = ranking.iloc[3:].query("status in @CHANGING")
    assert len(moving) >= 2  # rising and falling themes below the top three
    assert [s.label for s in report.sections] == top + list(moving["label"])


def test_what_is_changing_comes_before_the_headline_themes(report) -> None:
    text = render_markdown(report)
    assert text.index("## Coverage") < text.index("## What is changing")
    assert text.index("## What is changing") < text.index("## Headline themes")


def test_stable_is_said_once_not_in_every_section(report) -> None:
    text = render_markdown(report)
    stable = [s for s in report.sections if s.status == "stable"]
    assert len(stable) >= 2
    assert text.count("stable over") == 1
    assert f"The other {len(stable)} headline themes are stable over 2016–2019" in text


def test_each_change_gives_its_reviews_by_year_and_its_test(con, report) -> None:
    text = render_markdown(report)
    section = next(s for s in report.sections if s.status == "emerging")
    years = con.execute(
        "SELECT year(d.review_date), count(DISTINCT d.doc_id) FILTER (WHERE c.theme_id = ?), "
        "count(DISTINCT d.doc_id) FROM documents d JOIN passages p USING (doc_id) "
        "LEFT JOIN current_passage_themes c USING (passage_id) "
        "WHERE d.scope = 'local' GROUP BY 1 ORDER BY 1",
        [section.theme_id],
    ).fetchall()
    by_year = ", ".join(f"{y}: {k} of {n}" for y, k, n in years)
    changes = text[text.index("## What is changing") : text.index("## Headline themes")]
    line = next(x for x in changes.splitlines() if x.startswith(f"- {section.label}"))
    assert f"Reviews raising it by year — {by_year}\\." in line
    # As a report writes it: "p = 0.011", never "p = 0.000" ('<' and '.' escaped).
    shown = "p \\< 0.001" if section.trend_p < 0.001 else f"p = {section.trend_p:.3f}"
    assert shown.replace(".", "\\.") in line


@pytest.mark.parametrize("variant", SEED_VARIANTS)
def test_beside_the_seed_report_years_count_only_locality_reviews(seeded, variant: str) -> None:
    with duckdb.connect(str(seeded[variant]), read_only=True) as reader:
        report = build_report(reader, Codebook(), top=3)
        dated = reader.execute(
            "SELECT year(review_date)::VARCHAR, count(*) FROM documents "
            "WHERE scope = 'local' AND review_date IS NOT NULL GROUP BY 1 ORDER BY 1"
        ).fetchall()
    assert list(zip(report.periods, report.period_reviews, strict=True)) == dated
    assert {s.status for s in report.changing} <= set(CHANGING)
    assert any(s.status == "new" for s in report.sections)  # the seeded run found new themes


def test_the_method_says_passages_were_read_in_their_place_with_the_runs_weight(
    con, report
) -> None:
    (params,) = con.execute(
        "SELECT params FROM theme_runs WHERE run_id = ?", [report.run["run_id"]]
    ).fetchone()
    params = json.loads(params) if isinstance(params, str) else params
    assert params["selection"] == "leaf"  # theme runs read passages in context
    said = [m for m in report.method if "read in its place" in m]
    assert said and f"plus {params['context_weight']:g} of each neighbouring" in said[0]
