"""Ranking rules of hybrid search beyond plain reciprocal-rank fusion (`Fusion`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import numpy as np
import pytest

from pipeline.embed.models import load_embedder
from pipeline.queries.search import Fusion, fused_scores, search_hybrid
from pipeline.search_modes import Questions


def test_a_keyword_hit_far_in_meaning_gets_no_keyword_part() -> None:
    # Row 0 holds a query word but is far by meaning; row 1 holds one and is near.
    cosines = np.array([0.1, 0.5, 0.3])
    rows = np.array([0, 1], dtype=np.int64)
    bm25 = np.array([5.0, 4.0])
    plain = fused_scores(cosines, rows, bm25, Fusion(k=60))
    gated = fused_scores(cosines, rows, bm25, Fusion(k=60, keyword_min_cosine=0.2))
    assert gated[0] == pytest.approx(1.0 / (60 + 3))  # its meaning rank only
    assert gated[1] == pytest.approx(plain[1])
    assert gated[2] == pytest.approx(plain[2])


def test_passages_shorter_than_the_minimum_are_scaled_by_their_length() -> None:
    cosines = np.array([0.9, 0.8])
    words = np.array([3, 40])
    fused = fused_scores(
        cosines, np.zeros(0, dtype=np.int64), np.zeros(0), Fusion(k=60, min_words=12), words
    )
    assert fused[0] == pytest.approx(3 / 12 * 1.0 / (60 + 1))
    assert fused[1] == pytest.approx(1.0 / (60 + 2))


@pytest.fixture(scope="module")
def con(themed_db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    with duckdb.connect(str(themed_db), read_only=True) as connection:
        yield connection


def test_hybrid_search_scales_each_passage_by_its_own_length(con) -> None:
    # Every passage is shorter than 1,000 words, so each fused score is scaled by its length.
    embedder = load_embedder()
    query = "young people held in debt"
    plain = search_hybrid(con, query, embedder, limit=10_000, questions=Questions.show)
    scaled = search_hybrid(
        con, query, embedder, limit=5, questions=Questions.show, fusion=Fusion(min_words=1000)
    )
    score_of = dict(zip(plain["passage_id"], plain["score"], strict=True))
    rows = con.execute(
        "SELECT passage_id, n_words FROM passages WHERE passage_id = ANY($ids)",
        {"ids": scaled["passage_id"].tolist()},
    )
    words = dict(rows.fetchall())
    for row in scaled.itertuples():
        expected = score_of[row.passage_id] * words[row.passage_id] / 1000
        assert row.score == pytest.approx(expected, rel=1e-6)
