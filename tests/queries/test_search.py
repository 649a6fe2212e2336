"""Hybrid search, search modes and where interviewers' questions rank."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import duckdb
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from pipeline.embed.models import load_embedder
from pipeline.errors import SearchIndexError
from pipeline.queries import Filters
from pipeline.queries.search import (
    Fusion,
    _order,
    fused_scores,
    search_hybrid,
    search_keyword,
    search_passages,
    search_semantic,
)
from pipeline.search_modes import Questions, SearchMode

RETURN_HOME = re.compile(r"return home interview", re.IGNORECASE)
PARAPHRASE = "talking to a child after they come back from being away"


@pytest.fixture(scope="module")
def con(themed_db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    with duckdb.connect(str(themed_db), read_only=True) as connection:
        yield connection


@pytest.fixture(scope="module")
def questions(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute("SELECT passage_id FROM passages WHERE speaker_role = 'interviewer'")
    return {passage_id for (passage_id,) in rows.fetchall()}


def test_hybrid_search_finds_a_paraphrase_that_keyword_search_misses(con) -> None:
    # The issue's own example: none of its words is in a passage about return home interviews.
    by_words = search_keyword(con, PARAPHRASE, limit=5, questions=Questions.last)
    found = search_hybrid(con, PARAPHRASE, load_embedder(), limit=5)
    assert not any(RETURN_HOME.search(text) for text in by_words["text"])
    assert any(RETURN_HOME.search(text) for text in found["text"])


def test_hybrid_is_the_default_mode(con) -> None:
    embedder = load_embedder()
    default = search_passages(con, PARAPHRASE, embedder=embedder, limit=10)
    hybrid = search_hybrid(con, PARAPHRASE, embedder, limit=10)
    assert default["passage_id"].tolist() == hybrid["passage_id"].tolist()


@pytest.mark.parametrize("mode", list(SearchMode))
def test_each_mode_ranks_questions_after_every_answer_by_default(con, questions, mode) -> None:
    # "Are return home interviews helping?" is a question that outranks the answers by words.
    # Every passage has a cosine, so by meaning the questions follow all the answers.
    found = search_passages(con, "return home interviews", mode, load_embedder(), limit=10_000)
    asked = [passage_id in questions for passage_id in found["passage_id"]]
    assert any(asked)
    assert asked == sorted(asked)  # every False (an answer) before every True (a question)


def test_shown_questions_rank_as_any_passage(con, questions) -> None:
    found = search_keyword(con, "return home interviews", limit=5, questions=Questions.show)
    assert found["passage_id"].iloc[0] in questions


@pytest.mark.parametrize("mode", list(SearchMode))
def test_hidden_questions_never_appear(con, questions, mode) -> None:
    found = search_passages(
        con, "return home interviews", mode, load_embedder(), limit=200, questions=Questions.hide
    )
    assert len(found) > 5
    assert not set(found["passage_id"]) & questions


def test_questions_last_keeps_the_answers_in_their_own_order(con, questions) -> None:
    shown = search_keyword(con, "county lines", limit=10_000, questions=Questions.show)
    last = search_keyword(con, "county lines", limit=10_000, questions=Questions.last)
    answers = [p for p in shown["passage_id"] if p not in questions]
    assert last["passage_id"].tolist()[: len(answers)] == answers


def test_semantic_mode_is_search_semantic(con) -> None:
    embedder = load_embedder()
    query = "young people held in debt"
    mode = search_passages(con, query, SearchMode.semantic, embedder, limit=10)
    direct = search_semantic(con, query, embedder, limit=10, questions=Questions.last)
    assert mode["passage_id"].tolist() == direct["passage_id"].tolist()


def test_keyword_mode_needs_no_model(con) -> None:
    found = search_passages(con, "Caister", SearchMode.keyword, limit=5)
    assert "Caister" in found["text"].iloc[0]


def test_hybrid_without_the_model_says_so(con) -> None:
    with pytest.raises(ValueError, match="needs the embedding model"):
        search_passages(con, "Caister", SearchMode.hybrid)


def test_hybrid_search_with_a_filter_equals_the_full_ranking_filtered(con) -> None:
    embedder = load_embedder()
    query = "young people missing from home"
    everywhere = search_hybrid(con, query, embedder, limit=10_000)
    region = "Yorkshire and The Humber"
    found = search_hybrid(con, query, embedder, Filters(region=region), limit=5)
    expected = everywhere[everywhere["region"] == region].head(5)
    assert everywhere.index[everywhere["region"] == region][0] >= 5
    assert found["passage_id"].tolist() == expected["passage_id"].tolist()


def test_hybrid_scores_are_the_reciprocal_rank_fusion(con) -> None:
    embedder = load_embedder()
    query = "cuckooing of vulnerable adults"
    fusion = Fusion(k=10, keyword_weight=1.0, semantic_weight=2.0)
    found = search_hybrid(con, query, embedder, limit=5, questions=Questions.show, fusion=fusion)
    every = search_semantic(con, query, embedder, limit=10_000)
    words = search_keyword(con, query, limit=10_000)
    semantic_rank = {p: r for r, p in enumerate(every["passage_id"], start=1)}
    keyword_rank = {p: r for r, p in enumerate(words["passage_id"], start=1)}
    for row in found.itertuples():
        expected = 2.0 / (10 + semantic_rank[row.passage_id])
        if row.passage_id in keyword_rank:
            expected += 1.0 / (10 + keyword_rank[row.passage_id])
        # Cosines in float16 may swap near-equal neighbours' ranks: within one rank of each.
        assert row.score == pytest.approx(expected, rel=0.02)


def test_hybrid_on_an_index_without_postings_says_what_to_do(db_without_postings: Path) -> None:
    with (
        duckdb.connect(str(db_without_postings), read_only=True) as old,
        pytest.raises(SearchIndexError, match="findings run"),
    ):
        search_hybrid(old, "Caister", load_embedder())


def test_an_unknown_mode_is_refused(con) -> None:
    with pytest.raises(ValueError, match="hybrid, keyword, semantic"):
        search_passages(con, "Caister", "fuzzy", load_embedder())  # type: ignore[arg-type]


ranked_scores = st.integers(2, 40).flatmap(
    lambda n: st.tuples(
        arrays(np.float64, n, elements=st.floats(-1, 1)),
        arrays(np.bool_, n),
    )
)


@given(ranked_scores)
def test_questions_last_puts_every_question_after_every_answer(drawn) -> None:
    scores, asked = drawn
    rows = np.arange(len(scores))
    order = _order(scores, rows, asked, Questions.last)
    assert sorted(order.tolist()) == rows.tolist()
    assert asked[order].tolist() == sorted(asked.tolist())
    # Within each group the order is the scores' order, equal scores by row.
    for group in (asked, ~asked):
        within = order[group[order]]
        assert within.tolist() == within[np.lexsort((within, -scores[within]))].tolist()


@given(
    st.integers(1, 30).flatmap(
        lambda n: st.tuples(
            arrays(np.float64, n, elements=st.floats(-1, 1), unique=True),
            st.lists(st.integers(0, n - 1), unique=True, max_size=n),
        )
    )
)
def test_a_passage_ranked_no_lower_in_both_rankings_fuses_no_lower(drawn) -> None:
    cosines, hits = drawn
    rows = np.array(hits, dtype=np.int64)
    # BM25 falling with position in `hits`: the first hit is the best by words.
    bm25 = np.linspace(10.0, 1.0, len(rows)) if len(rows) else np.zeros(0)
    fused = fused_scores(cosines, rows, bm25, Fusion(k=60))
    keyword_rank = {row: rank for rank, row in enumerate(hits)}
    for a in range(len(cosines)):
        for b in range(len(cosines)):
            better_by_meaning = cosines[a] > cosines[b]
            no_worse_by_words = a in keyword_rank and (
                b not in keyword_rank or keyword_rank[a] < keyword_rank[b]
            )
            if better_by_meaning and no_worse_by_words:
                assert fused[a] > fused[b]
