from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from pipeline.themes.fit import (
    OUTLIER,
    PassagePlace,
    ThemeParams,
    centroids,
    contextual_vectors,
    fit_themes,
    reassign_outliers,
)


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


def test_a_passage_in_context_leans_toward_its_neighbours_in_its_own_document_only() -> None:
    vectors = np.eye(4, dtype=np.float32)
    # Given out of order: neighbours are found by document and ordinal, not by row.
    places = [
        PassagePlace("report", 2),
        PassagePlace("report", 0),
        PassagePlace("other", 1),
        PassagePlace("report", 1),
    ]
    mixed = contextual_vectors(vectors, places, weight=0.5)
    middle = np.array([0.5, 0.5, 0, 1]) / np.linalg.norm([0.5, 0.5, 0, 1])
    assert np.allclose(mixed[3], middle)  # report/1 takes half of report/0 and report/2
    assert np.allclose(mixed[2], vectors[2])  # alone in its document: unchanged
    assert np.allclose(np.linalg.norm(mixed, axis=1), 1)


def _planted_reports(rng: np.random.Generator) -> tuple[list[str], np.ndarray, list[PassagePlace]]:
    """Reports on two topics; each housing report has one passage that says little on its own.

    Housing reports run housing, housing, terse, housing, housing; school reports are five
    school passages. A terse passage (like a report's short line that continues its
    neighbour's point) points somewhere of its own, near neither topic when read alone.
    """
    housing, schools = np.zeros(16), np.zeros(16)
    housing[0], schools[1] = 1.0, 1.0
    vectors, texts, places = [], [], []
    for report in range(16):
        topic = "housing" if report % 2 == 0 else "schools"
        for ordinal in range(5):
            if topic == "housing" and ordinal == 2:
                centre, text = rng.normal(0, 1, 16) * (np.arange(16) >= 2), "the same again"
            elif topic == "housing":
                centre, text = housing, "tenants cuckooing flats housing"
            else:
                centre, text = schools, "pupils exclusion classroom schools"
            vector = centre / np.linalg.norm(centre) + rng.normal(0, 0.05, 16)
            vectors.append(vector / np.linalg.norm(vector))
            texts.append(text)
            places.append(PassagePlace(f"{topic}-{report}", ordinal))
    return texts, np.asarray(vectors, dtype=np.float32), places


def test_passages_read_in_context_join_the_theme_of_their_neighbours() -> None:
    texts, vectors, places = _planted_reports(np.random.default_rng(7))
    params = ThemeParams.for_corpus(len(texts), in_context=True)
    fitted = fit_themes(texts, vectors, params, spacy_model=None, places=places)
    between = [row for row, text in enumerate(texts) if text.startswith("the same")]
    housing = [row for row, text in enumerate(texts) if text.startswith("tenants")]
    schools = [row for row, text in enumerate(texts) if text.startswith("pupils")]
    housing_themes = set(fitted.assignments[housing].tolist())
    assert set(fitted.assignments[between].tolist()) <= housing_themes - {OUTLIER}
    assert housing_themes.isdisjoint(fitted.assignments[schools].tolist())
