"""National documents beside locality reviews: quotable and searchable, never counted as reviews.

The warehouse is the themed sample corpus (24 locality reviews) with the real seed report, a
national report, ingested beside it with whatever metadata ingest infers.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from pipeline.queries import (
    Filters,
    coverage,
    filter_options,
    quotes,
    search_keyword,
    sources,
    theme_counts,
    theme_overview,
)
from pipeline.storage import connect


@pytest.fixture(scope="module")
def con(seeded: dict[str, Path]) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = connect(seeded["inferred"], read_only=True)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def seed_doc(con: duckdb.DuckDBPyConnection, seed_path: Path) -> str:
    (doc_id,) = con.execute(
        "SELECT doc_id FROM documents WHERE path LIKE ?", [f"%{seed_path.name}"]
    ).fetchone()
    return doc_id


@pytest.fixture(scope="module")
def local_reviews(con: duckdb.DuckDBPyConnection, seed_doc: str) -> int:
    """The sample corpus's reviews: every document but the seed."""
    (n,) = con.execute("SELECT count(*) FROM documents WHERE doc_id <> ?", [seed_doc]).fetchone()
    return n


def _places_in(con: duckdb.DuckDBPyConnection, passage_id: str, column: str, value: str) -> bool:
    """Whether a passage names a gazetteer place whose `column` is `value` (raw SQL, not macros)."""
    rows = con.execute(
        "SELECT pl.region, pl.local_authority FROM passages AS p, places AS pl "
        "WHERE p.passage_id = ? AND list_contains(p.places, pl.name)",
        [passage_id],
    ).fetchall()
    index = {"region": 0, "local_authority": 1}[column]
    return any(row[index] == value for row in rows)


def _seed_quotes(con: duckdb.DuckDBPyConnection, seed_doc: str, filters: Filters) -> list[dict]:
    """Every quote the seed contributes to any theme under the filters."""
    themes = [row[0] for row in con.execute("SELECT theme_id FROM themes").fetchall()]
    found = []
    for theme in themes:
        frame = quotes(con, theme, filters, limit=10_000)
        found += frame[frame["doc_id"] == seed_doc].to_dict("records")
    return found


def test_the_seed_report_is_ingested_as_a_national_document(
    con: duckdb.DuckDBPyConnection, seed_doc: str
) -> None:
    scope, inferred = con.execute(
        "SELECT scope, inferred_fields FROM documents WHERE doc_id = ?", [seed_doc]
    ).fetchone()
    assert scope == "national" and "scope" in inferred


def test_coverage_counts_reviews_and_national_documents_apart(
    con: duckdb.DuckDBPyConnection, seed_doc: str, local_reviews: int
) -> None:
    seen = coverage(con)
    (areas,) = con.execute(
        "SELECT count(DISTINCT area) FROM documents WHERE doc_id <> ?", [seed_doc]
    ).fetchone()
    assert (seen.reviews, seen.areas, seen.national_documents) == (local_reviews, areas, 1)


def test_theme_prevalence_counts_only_locality_reviews(
    con: duckdb.DuckDBPyConnection, seed_doc: str
) -> None:
    overview = theme_overview(con).set_index("theme_id")["n_documents"]
    expected = dict(
        con.execute(
            "SELECT pt.theme_id, count(DISTINCT p.doc_id) FROM passage_themes AS pt "
            "JOIN passages AS p USING (passage_id) "
            "WHERE pt.run_id = (SELECT run_id FROM latest_theme_run) AND pt.theme_id <> -1 "
            "AND p.doc_id <> ? GROUP BY ALL",
            [seed_doc],
        ).fetchall()
    )
    raised_by_seed = con.execute(
        "SELECT count(*) FROM document_themes WHERE doc_id = ?", [seed_doc]
    ).fetchone()[0]
    assert raised_by_seed > 0  # the seed is on themes, so counting it would show
    assert {t: int(n) for t, n in overview.items() if n} == expected


def test_trends_count_every_review_once_and_no_national_document(
    con: duckdb.DuckDBPyConnection, local_reviews: int
) -> None:
    national = theme_counts(con, level="national", period="year")
    per_period = national.groupby(national["period"], dropna=False)["period_documents"].first()
    assert per_period.sum() == local_reviews


def test_the_filters_offer_no_national_pseudo_area(con: duckdb.DuckDBPyConnection) -> None:
    options = filter_options(con)
    assert "National" not in options.areas
    assert options.areas and all(area for area in options.areas)


def test_national_passages_are_quoted_without_a_place_filter(
    con: duckdb.DuckDBPyConnection, seed_doc: str
) -> None:
    found = _seed_quotes(con, seed_doc, Filters())
    assert found
    assert {(q["scope"], q["via_mention"]) for q in found} == {("national", False)}


@pytest.mark.parametrize(
    ("filters", "column", "value"),
    [
        (Filters(region="Wales"), "region", "Wales"),
        (Filters(area="Worcester"), "local_authority", "Worcester"),
    ],
)
def test_a_place_filter_finds_the_national_passages_that_name_a_place_in_it(
    con: duckdb.DuckDBPyConnection,
    seed_doc: str,
    filters: Filters,
    column: str,
    value: str,
) -> None:
    found = _seed_quotes(con, seed_doc, filters)
    assert found  # the seed names Rhyl (Wales) and Worcester
    assert all(q["via_mention"] for q in found)
    assert all(_places_in(con, q["passage_id"], column, value) for q in found)


def test_a_place_the_national_report_never_names_finds_none_of_it(
    con: duckdb.DuckDBPyConnection, seed_doc: str
) -> None:
    assert _seed_quotes(con, seed_doc, Filters(area="Torbay")) == []


def test_sources_list_national_documents_after_the_reviews(
    con: duckdb.DuckDBPyConnection, seed_doc: str, local_reviews: int
) -> None:
    listed = sources(con)
    assert list(listed["scope"]) == ["local"] * local_reviews + ["national"]
    assert listed["doc_id"].iloc[-1] == seed_doc


def test_sources_under_a_place_list_the_national_report_that_names_it(
    con: duckdb.DuckDBPyConnection, seed_doc: str
) -> None:
    assert seed_doc in set(sources(con, Filters(region="Wales"))["doc_id"])
    assert seed_doc not in set(sources(con, Filters(area="Torbay"))["doc_id"])


def test_keyword_search_finds_national_passages_and_says_how(
    con: duckdb.DuckDBPyConnection, seed_doc: str
) -> None:
    everywhere = search_keyword(con, "cuckooing", limit=200)
    in_wales = search_keyword(con, "Rhyl", Filters(region="Wales"), limit=200)
    assert "national" in set(everywhere["scope"])
    seed_hits = in_wales[in_wales["scope"] == "national"]
    assert len(seed_hits) and seed_hits["via_mention"].all()


def test_a_themes_quotes_come_from_many_reviews_before_the_national_report(
    con: duckdb.DuckDBPyConnection, seed_doc: str
) -> None:
    # Of the themes reviews raise too, the one holding most of the seed report's passages: the
    # one a long report would crowd (a theme of the report's passages alone has no reviews).
    (theme,) = con.execute(
        "SELECT theme_id FROM current_passage_themes JOIN passages USING (passage_id) "
        "WHERE doc_id = ? AND theme_id IN ("
        "  SELECT theme_id FROM current_passage_themes JOIN passages USING (passage_id) "
        "  JOIN documents USING (doc_id) WHERE scope = 'local' "
        "  GROUP BY theme_id HAVING count(DISTINCT doc_id) >= 2) "
        "GROUP BY theme_id ORDER BY count(*) DESC, theme_id LIMIT 1",
        [seed_doc],
    ).fetchone()
    reviews = con.execute(
        "SELECT count(DISTINCT doc_id) FROM current_passage_themes JOIN passages "
        "USING (passage_id) JOIN documents USING (doc_id) WHERE theme_id = ? AND scope = 'local'",
        [theme],
    ).fetchone()[0]
    shown = quotes(con, theme, Filters(), limit=10)
    first = shown.head(min(reviews, 10))
    assert reviews >= 2
    assert first["doc_id"].is_unique and (first["scope"] == "local").all()
    assert seed_doc in set(shown["doc_id"]) or reviews >= 10  # national evidence comes after
