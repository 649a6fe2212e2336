"""The query layer on the sample corpus, against answers known from its planted patterns."""

from __future__ import annotations

import datetime as dt
import math
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from pipeline.embed.models import load_embedder
from pipeline.queries import (
    Filters,
    compare_place,
    cooccurrence,
    documents,
    framework_matrix,
    period_label,
    quotes,
    search_keyword,
    search_semantic,
    theme_counts,
    theme_overview,
    theme_trend,
)
from pipeline.storage.embeddings import passage_vectors

EAST = "East of England"


@pytest.fixture(scope="module")
def con(themed_db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    with duckdb.connect(str(themed_db), read_only=True) as connection:
        yield connection


def theme_holding(con: duckdb.DuckDBPyConnection, word: str) -> int:
    """The theme most of the passages containing a word are on."""
    return con.execute(
        "SELECT theme_id FROM current_passage_themes JOIN passages USING (passage_id) "
        "WHERE lower(text) LIKE ? GROUP BY 1 ORDER BY count(*) DESC LIMIT 1",
        [f"%{word}%"],
    ).fetchone()[0]


def raised_by_reviews(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Which reviews raise which themes, from the raw assignments of the newest finished run.

    Built from `passage_themes` itself, not from the views the query layer reads, so a wrong
    view cannot agree with itself.
    """
    runs = con.execute("SELECT run_id, status, finished_at FROM theme_runs").df()
    done = runs[runs["status"] == "succeeded"].sort_values(["finished_at", "run_id"])
    latest = done.iloc[-1]["run_id"]
    rows = con.execute(
        "SELECT pt.passage_id, pt.theme_id, pt.run_id, p.doc_id FROM passage_themes AS pt "
        "JOIN passages AS p USING (passage_id)"
    ).df()
    rows = rows[(rows["run_id"] == latest) & (rows["theme_id"] != -1)]
    statuses = dict(con.execute("SELECT theme_id, status FROM themes").fetchall())
    rows = rows[rows["theme_id"].map(statuses) != "not_relevant"]
    raised = rows.groupby(["doc_id", "theme_id"]).size().rename("n_passages").reset_index()
    docs = con.execute("SELECT doc_id, area, region, police_force, review_date FROM documents").df()
    return raised.merge(docs, on="doc_id")


def test_prevalence_counts_reviews_with_a_wilson_interval(con) -> None:
    mules = theme_holding(con, "bank account")
    counts = theme_counts(con, level="region", period="year")
    east = counts[(counts["theme_id"] == mules) & (counts["place"] == EAST)]
    assert east["n_documents"].sum() == 4  # Bedford, Southend, Peterborough, Great Yarmouth
    national = theme_counts(con, level="national", period="year")
    row = theme_overview(con).set_index("theme_id").loc[mules]
    assert row["prevalence"] == pytest.approx(row["n_documents"] / 24)
    whole = theme_counts(con, Filters(region=EAST), level="region", period="year").query(
        "theme_id == @mules"
    )
    assert set(whole["prevalence"]) == {1.0}
    assert national["period_documents"].groupby(national["period"]).first().sum() == 24


@pytest.mark.parametrize("period", ["year", "quarter", "month"])
def test_overview_counts_match_the_raw_assignments(con, period) -> None:
    rows = raised_by_reviews(con)
    overview = theme_overview(con, period=period).set_index("theme_id")
    dates = con.execute("SELECT review_date FROM documents").df()["review_date"].dropna()
    periods = sorted({period_label(date, period) for date in dates})
    assert set(overview.index) == set(rows["theme_id"])
    for theme_id, group in rows.groupby("theme_id"):
        row = overview.loc[theme_id]
        assert row["n_documents"] == group["doc_id"].nunique()
        assert row["n_areas"] == group["area"].nunique()
        labels = group["review_date"].dropna().map(lambda date: period_label(date, period))
        assert row["sparkline"] == [int((labels == p).sum()) for p in periods]


@pytest.mark.parametrize(("level", "period"), [("area", "quarter"), ("police_force", "month")])
def test_theme_counts_match_the_raw_assignments(con, level, period) -> None:
    docs = con.execute("SELECT doc_id, area, region, police_force, review_date FROM documents").df()
    docs["period"] = [
        "undated" if pd.isna(date) else period_label(date, period) for date in docs["review_date"]
    ]
    rows = raised_by_reviews(con).drop(columns=["area", "region", "police_force", "review_date"])
    rows = rows.merge(docs, on="doc_id")
    counts = theme_counts(con, level=level, period=period)
    assert len(counts) == len(rows.groupby(["theme_id", level, "period"], dropna=False))
    for row in counts.itertuples():
        cell = rows[
            (rows["theme_id"] == row.theme_id)
            & (rows[level] == row.place)
            & (rows["period"] == row.period)
        ]
        place_reviews = docs[(docs[level] == row.place) & (docs["period"] == row.period)]
        assert row.n_documents == cell["doc_id"].nunique()
        assert row.n_areas == cell["area"].nunique()
        assert row.n_passages == cell["n_passages"].sum()
        assert row.period_documents == len(place_reviews)


def test_compare_place_counts_each_review_once_here_or_elsewhere(con) -> None:
    comparison = compare_place(con, "area", "Swindon")
    n_reviews = len(documents(con))
    here = int((documents(con)["area"] == "Swindon").sum())
    assert here >= 1
    assert (comparison["place_documents"] == here).all()
    assert (comparison["elsewhere_documents"] == n_reviews - here).all()
    rows = raised_by_reviews(con)
    totals = comparison.set_index("theme_id")
    for theme_id, group in rows.groupby("theme_id"):
        in_swindon = group.loc[group["area"] == "Swindon", "doc_id"].nunique()
        assert totals.loc[theme_id, "in_place"] == in_swindon
        assert totals.loc[theme_id, "elsewhere"] == group["doc_id"].nunique() - in_swindon


def test_hand_checked_interval_for_all_four_east_reviews(con) -> None:
    mules = theme_holding(con, "bank account")
    overview = theme_overview(con, Filters(region=EAST)).set_index("theme_id")
    row = overview.loc[mules]
    assert (row["n_documents"], row["prevalence"]) == (4, 1.0)
    # Wilson 95% for 4/4: centre 0.7550, half-width 0.2449 (computed by hand).
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((0.5101, 1.0), abs=1e-4)


def test_money_mules_are_over_represented_in_the_east_of_england(con) -> None:
    mules = theme_holding(con, "bank account")
    comparison = compare_place(con, "region", EAST).set_index("theme_id").loc[mules]
    assert comparison["in_place"] == 4 and comparison["elsewhere"] <= 1
    assert comparison["lift"] > 1
    assert comparison["p_value"] < 0.01 and comparison["significant"]


def test_the_planted_rising_issue_is_emerging(con) -> None:
    xanax = theme_holding(con, "xanax")
    row = theme_overview(con).set_index("theme_id").loc[xanax]
    assert row["status"] == "emerging"
    assert row["trend_z"] > 0


def test_the_planted_fading_issue_is_fading(con) -> None:
    spice = theme_holding(con, "spice")
    row = theme_overview(con).set_index("theme_id").loc[spice]
    assert row["status"] == "fading"
    assert row["sparkline"][-1] == 0


def test_region_filter_narrows_to_that_region(con) -> None:
    national = theme_overview(con).set_index("theme_id")
    east = theme_overview(con, Filters(region=EAST)).set_index("theme_id")
    assert set(documents(con, Filters(region=EAST))["region"]) == {EAST}
    assert (east["n_documents"] <= national.loc[east.index, "n_documents"]).all()
    assert east["n_documents"].max() <= 4 < national["n_documents"].max()


def test_date_and_type_filters_narrow_the_reviews(con) -> None:
    recent = documents(con, Filters(since=dt.date(2019, 1, 1)))
    assert len(recent) == 6
    assert (recent["review_date"] >= dt.datetime(2019, 1, 1)).all()
    reports = documents(con, Filters(doc_type="report"))
    assert set(reports["doc_type"]) == {"report"} and 0 < len(reports) < 24


def test_quotes_belong_to_the_theme_and_honour_filters(con) -> None:
    xanax = theme_holding(con, "xanax")
    # A region that holds some of the theme's passages, not all: the filter has work to do.
    regions = con.execute(
        "SELECT d.region, count(*) FROM current_passage_themes JOIN passages USING (passage_id) "
        "JOIN documents AS d USING (doc_id) WHERE theme_id = ? GROUP BY 1 ORDER BY 2, 1",
        [xanax],
    ).fetchall()
    assert len(regions) >= 2, regions
    region = regions[0][0]
    found = quotes(con, xanax, Filters(region=region), limit=50)
    assert not found.empty and set(found["region"]) == {region}
    ids = set(
        r[0]
        for r in con.execute(
            "SELECT passage_id FROM current_passage_themes WHERE theme_id = ?", [xanax]
        ).fetchall()
    )
    assert set(found["passage_id"]) <= ids


def test_trend_counts_reviews_per_period(con) -> None:
    xanax = theme_holding(con, "xanax")
    trend = theme_trend(con, xanax, period="year")
    assert list(trend["period"]) == ["2016", "2017", "2018", "2019"]
    assert trend["documents"].sum() == 24
    assert trend["raising"].iloc[-1] == 6  # every 2019 review raises it


def test_cooccurrence_lift_and_pmi_count_reviews_raising_both(con) -> None:
    pairs = cooccurrence(con)
    rows = raised_by_reviews(con)
    reviews = {t: set(group["doc_id"]) for t, group in rows.groupby("theme_id")}
    n = con.execute("SELECT count(*) FROM documents").fetchone()[0]
    assert len(pairs) >= 10
    for pair in pairs.head(10).itertuples():
        a, b = reviews[pair.theme_a], reviews[pair.theme_b]
        lift = len(a & b) * n / (len(a) * len(b))
        assert pair.lift == pytest.approx(lift)
        assert pair.pmi == pytest.approx(math.log2(lift))


def test_framework_matrix_cells_hold_passages_and_a_quote_from_the_cell(con) -> None:
    matrix = framework_matrix(con, by="area")
    assigned = con.execute("SELECT count(*) FROM current_passage_themes").fetchone()[0]
    assert matrix["n_passages"].sum() == assigned
    cell = matrix.iloc[0]
    owner = con.execute(
        "SELECT d.area, cpt.theme_id FROM current_passage_themes cpt "
        "JOIN passages p USING (passage_id) JOIN documents d USING (doc_id) "
        "WHERE passage_id = ?",
        [cell["quote_passage_id"]],
    ).fetchone()
    assert owner == (cell["row_label"], cell["theme_id"])


def test_keyword_search_finds_a_rare_word(con) -> None:
    found = search_keyword(con, "Caister", limit=5)
    assert not found.empty
    assert "Caister" in found.iloc[0]["text"]
    assert found.iloc[0]["area"] == "Great Yarmouth"


@pytest.fixture
def writable(themed_db: Path, tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A writable copy of the themed sample, where an injected statement could do harm."""
    db = tmp_path / "writable.duckdb"
    shutil.copy(themed_db, db)
    with duckdb.connect(str(db)) as connection:
        yield connection


def test_keyword_search_binds_the_query(writable) -> None:
    before = writable.execute("SELECT count(*) FROM passages").fetchone()[0]
    found = search_keyword(writable, "cuckooing'); DROP TABLE passages; --", limit=5)
    # The query's words are searched as words, and nothing is executed.
    words = ("cuckoo", "drop", "table", "passage")
    assert len(found) == 5
    assert all(any(word in text.lower() for word in words) for text in found["text"])
    assert found["score"].is_monotonic_decreasing
    assert writable.execute("SELECT count(*) FROM passages").fetchone()[0] == before


def test_filters_are_bound_not_interpolated(writable) -> None:
    hostile = Filters(region="Wales' OR '1'='1", area="x'); DROP TABLE documents; --")
    assert documents(writable, hostile).empty
    assert theme_overview(writable, hostile).empty
    assert writable.execute("SELECT count(*) FROM documents").fetchone()[0] == 24


def test_keyword_search_with_a_filter_equals_the_full_ranking_filtered(con) -> None:
    # The North East's first match ranks low, so the search must widen past its first candidates.
    everywhere = search_keyword(con, "county lines", limit=10_000)
    found = search_keyword(con, "county lines", Filters(region="North East"), limit=5)
    expected = everywhere[everywhere["region"] == "North East"].head(5)
    assert everywhere.index[everywhere["region"] == "North East"][0] >= 25
    assert len(found) == len(expected) > 0
    assert found["passage_id"].tolist() == expected["passage_id"].tolist()


def test_keyword_results_carry_each_passages_current_theme(con) -> None:
    found = search_keyword(con, "county lines", limit=30)
    current = dict(
        con.execute("SELECT passage_id, theme_id FROM current_passage_themes").fetchall()
    )
    assert any(pd.notna(theme) for theme in found["theme_id"])
    for row in found.itertuples():
        assert (None if pd.isna(row.theme_id) else int(row.theme_id)) == current.get(row.passage_id)


def test_keyword_search_with_no_known_word_finds_nothing(con) -> None:
    found = search_keyword(con, "zzyzx the and", limit=5)
    assert found.empty
    assert "score" in found.columns


def test_semantic_search_finds_a_paraphrase(con) -> None:
    found = search_semantic(
        con, "pills bought online to calm nerves before exams", load_embedder(), limit=3
    )
    assert any("Xanax" in text or "exam" in text for text in found["text"])
    assert found["score"].is_monotonic_decreasing


def test_semantic_results_carry_each_passages_current_theme(con) -> None:
    found = search_semantic(con, "county lines drug runners", load_embedder(), limit=30)
    current = dict(
        con.execute("SELECT passage_id, theme_id FROM current_passage_themes").fetchall()
    )
    shown = {row.passage_id: row.theme_id for row in found.itertuples()}
    assert any(pd.notna(theme) for theme in shown.values())
    for passage_id, theme in shown.items():
        assert (None if pd.isna(theme) else int(theme)) == current.get(passage_id)


def test_semantic_scores_are_the_exact_cosine_to_within_3e_4(con) -> None:
    embedder = load_embedder()
    query = "children groomed to carry drugs to seaside towns"
    found = search_semantic(con, query, embedder, limit=20)
    ids, vectors = passage_vectors(con, embedder.name)
    exact = vectors @ embedder.embed_batch([query])[0]
    best = [ids[i] for i in np.argsort(-exact)[:20]]
    score_of = dict(zip(ids, exact.tolist(), strict=True))
    for row in found.itertuples():
        # README: float16 storage keeps scores within 3e-4 of the exact cosine.
        assert row.score == pytest.approx(score_of[row.passage_id], abs=3e-4)
    assert len(set(found["passage_id"]) & set(best)) >= 19


def test_semantic_search_with_a_filter_equals_the_full_ranking_filtered(con) -> None:
    embedder = load_embedder()
    query = "young people missing from home"
    everywhere = search_semantic(con, query, embedder, limit=10_000)
    region = "Yorkshire and The Humber"
    found = search_semantic(con, query, embedder, Filters(region=region), limit=5)
    expected = everywhere[everywhere["region"] == region].head(5)
    assert everywhere.index[everywhere["region"] == region][0] >= 25
    assert len(found) == 5
    assert found["passage_id"].tolist() == expected["passage_id"].tolist()


def test_keyword_scores_equal_the_fts_extensions_own_bm25(con) -> None:
    query = "holiday lets caravan cuckooing"
    ours = search_keyword(con, query, limit=50).set_index("passage_id")["score"]
    theirs = dict(
        con.execute(
            "SELECT passage_id, fts_main_passages.match_bm25(passage_id, ?) AS score "
            "FROM passages WHERE score IS NOT NULL ORDER BY score DESC LIMIT 50",
            [query],
        ).fetchall()
    )
    assert len(ours) == len(theirs) > 10
    assert set(ours.index) == set(theirs)
    for passage_id, score in theirs.items():
        assert ours[passage_id] == pytest.approx(score, rel=1e-9)
