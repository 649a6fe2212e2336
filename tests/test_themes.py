from __future__ import annotations

import numpy as np
import pytest

from pipeline.themes import OUTLIER, ThemeParams, centroids, reassign_outliers


@pytest.mark.parametrize(
    ("n", "min_cluster", "neighbours"),
    [(150, 5, 10), (800, 9, 14), (10_000, 33, 50), (100_000, 105, 50)],
)
def test_params_scale_with_the_corpus(n: int, min_cluster: int, neighbours: int) -> None:
    params = ThemeParams.for_corpus(n)
    assert (params.min_cluster_size, params.n_neighbors) == (min_cluster, neighbours)
    assert 2 <= params.min_samples < params.min_cluster_size


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
