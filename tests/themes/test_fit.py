from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from pipeline.themes.fit import OUTLIER, ThemeParams, centroids, reassign_outliers


@given(st.integers(1, 5_000_000), st.integers(1, 5_000_000))
def test_params_never_shrink_as_the_corpus_grows(a: int, b: int) -> None:
    small, large = ThemeParams.for_corpus(min(a, b)), ThemeParams.for_corpus(max(a, b))
    assert small.min_cluster_size <= large.min_cluster_size
    assert small.n_neighbors <= large.n_neighbors


@given(st.integers(0, 5_000_000))
def test_params_stay_within_what_hdbscan_and_umap_accept(n: int) -> None:
    params = ThemeParams.for_corpus(n)
    assert 2 <= params.min_samples < params.min_cluster_size <= 500
    assert 10 <= params.n_neighbors <= 50


def test_a_single_report_gets_small_themes_and_a_national_corpus_large_ones() -> None:
    # README: "a single report gets themes of a handful of passages, a national corpus themes
    # of a hundred or more".
    assert ThemeParams.for_corpus(150).min_cluster_size <= 10
    assert ThemeParams.for_corpus(100_000).min_cluster_size >= 100


def test_centroids_are_unit_length_means() -> None:
    vectors = np.array([[1, 0], [0, 1], [1, 0]], dtype=np.float32)
    cents = centroids(vectors, np.array([0, 0, OUTLIER]))
    assert list(cents) == [0]
    assert np.allclose(cents[0], [np.sqrt(0.5), np.sqrt(0.5)])


def test_outliers_join_a_theme_only_when_close_enough() -> None:
    vectors = np.array([[1, 0, 0], [0.99, 0.14, 0], [0.9, 0.44, 0], [0, 0, 1]], dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    assignments = np.array([3, 3, OUTLIER, OUTLIER])
    result, similarity = reassign_outliers(vectors, assignments, threshold=0.8)
    assert result.tolist() == [3, 3, 3, OUTLIER]
    assert similarity[3] == 0 and similarity[2] > 0.8
