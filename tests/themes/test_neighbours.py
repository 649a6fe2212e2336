from __future__ import annotations

from dataclasses import replace

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.metrics import adjusted_rand_score
from sklearn.metrics.pairwise import cosine_distances

from pipeline.themes.fit import ThemeParams, fit_themes
from pipeline.themes.neighbours import (
    EXACT_UP_TO,
    UMAP_EXACT_BELOW,
    exact_neighbours,
    neighbours_for_umap,
)
from tests.themes.test_fit import _topics_and_noise

ROWS = st.integers(2, 40).flatmap(
    lambda n: arrays(
        np.float32,
        (n, 6),
        elements=st.floats(0.125, 1, width=32) | st.floats(-1, -0.125, width=32),
    )
)


@given(vectors=ROWS, k=st.integers(1, 12), repeat=st.booleans())
def test_each_row_s_neighbours_are_the_nearest_by_cosine_itself_first(
    vectors: np.ndarray, k: int, repeat: bool
) -> None:
    if repeat:  # an identical passage elsewhere: still the row itself comes first
        vectors = np.vstack([vectors, vectors[:1]])
    found = exact_neighbours(vectors, k)
    expected = np.sort(cosine_distances(vectors.astype(np.float64)), axis=1)[
        :, : min(k, len(vectors))
    ]
    assert found.indices[:, 0].tolist() == list(range(len(vectors)))
    assert (found.distances[:, 0] == 0).all()
    assert (np.diff(found.distances, axis=1) >= -1e-6).all()
    np.testing.assert_allclose(found.distances, np.clip(expected, 0, 2), atol=1e-5)
    chosen = cosine_distances(vectors.astype(np.float64))[
        np.arange(len(vectors))[:, None], found.indices
    ]
    np.testing.assert_allclose(found.distances[:, 1:], chosen[:, 1:], atol=1e-5)


def test_the_neighbours_are_those_umap_finds_itself_on_small_data() -> None:
    from umap.umap_ import nearest_neighbors

    vectors = np.random.default_rng(5).normal(size=(300, 16)).astype(np.float32)
    # UMAP's own exact search below its threshold: all distances, then the nearest of each row.
    umap_indices, umap_distances, _ = nearest_neighbors(
        cosine_distances(vectors), 15, "precomputed", {}, False, None
    )
    ours = exact_neighbours(vectors, 15)
    assert (ours.indices == umap_indices).mean() > 0.99  # ties aside
    np.testing.assert_allclose(ours.distances, umap_distances, atol=1e-5)


def test_umap_finds_its_own_neighbours_outside_the_exact_band() -> None:
    assert neighbours_for_umap(np.ones((UMAP_EXACT_BELOW - 1, 4)), 15) is None
    assert neighbours_for_umap(np.ones((EXACT_UP_TO + 1, 2)), 15) is None


def test_a_fit_given_exact_neighbours_finds_the_planted_topics() -> None:
    texts, vectors, topics = _topics_and_noise(np.random.default_rng(8), per_topic=1400, noise=100)
    assert neighbours_for_umap(vectors, 15) is not None
    params = replace(ThemeParams.for_corpus(len(texts)), fit_sample=len(texts))
    fitted = fit_themes(texts, vectors, params, spacy_model=None)
    topical = topics >= 0
    assert adjusted_rand_score(topics[topical], fitted.assignments[topical]) > 0.9
    # The passages near no topic are not taken into a topic's theme.
    assert not set(fitted.assignments[~topical].tolist()) & set(
        fitted.assignments[topical].tolist()
    )
