"""Ranking rules of hybrid search beyond plain reciprocal-rank fusion (`Fusion`)."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.queries.search import Fusion, fused_scores


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
