from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.themes.fit import (
    DOC_SHARE_FLOOR,
    DOC_SHARE_MEDIANS,
    OUTLIER,
    PassagePlace,
    ThemeParams,
    centroids,
    contextual_vectors,
    earlier_targets,
    fit_themes,
    reassign_outliers,
    rows_within_document_shares,
    sample_params,
    sample_rows,
)


@given(st.integers(1, 5_000_000), st.integers(1, 5_000_000))
def test_params_never_shrink_as_the_corpus_grows(a: int, b: int) -> None:
    small, large = ThemeParams.for_corpus(min(a, b)), ThemeParams.for_corpus(max(a, b))
    assert small.min_cluster_size <= large.min_cluster_size
    assert small.n_neighbors <= large.n_neighbors


@given(st.lists(st.sampled_from([OUTLIER, 0, 3, 7, 40, 10_012]), max_size=30))
def test_earlier_themes_become_a_target_umap_reads(themes: list[int]) -> None:
    earlier = np.array(themes, dtype=np.int64)
    target = earlier_targets(earlier)
    if not (earlier != OUTLIER).any():
        assert target is None  # nothing earlier: an unsupervised fit
        return
    assert target is not None
    # Unknown exactly where there was no theme; the same code exactly where the same theme.
    assert ((target == -1) == (earlier == OUTLIER)).all()
    for i in range(len(themes)):
        for j in range(len(themes)):
            if themes[i] != OUTLIER and themes[j] != OUTLIER:
                assert (target[i] == target[j]) == (themes[i] == themes[j])
    # Codes run 0.. without gaps (UMAP's categorical target).
    assert set(target[target != -1].tolist()) == set(range(len(set(themes) - {OUTLIER})))


def test_earlier_themes_must_line_up_with_the_passages() -> None:
    vectors = np.eye(4, dtype=np.float32)
    with pytest.raises(ValueError, match="3 earlier themes for 4 passages"):
        fit_themes(
            ["a", "b", "c", "d"],
            vectors,
            ThemeParams.for_corpus(4),
            earlier=np.array([0, 0, 1], dtype=np.int64),
        )


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


# --- fitting a sample of a large corpus ---------------------------------------------------------

# Every text shares words with the others: c-TF-IDF keeps only words found in two themes or more.
TOPIC_WORDS = [
    "tenants cuckooing flats partnership safeguarding practitioners",
    "pupils exclusion classroom partnership safeguarding practitioners",
    "county lines phones partnership safeguarding practitioners",
]


def _topics_and_noise(rng: np.random.Generator, per_topic: int = 110, noise: int = 30):
    """Passages on three topics (one leaning toward another) and passages near no topic.

    Returns texts, unit vectors and each passage's topic (-1 for the noise).
    """
    centres = np.zeros((3, 32))
    centres[0, 0], centres[1, 1] = 1.0, 1.0
    centres[2, 2], centres[2, 0] = 1.0, 0.6  # the third topic leans toward the first
    vectors, texts, topics = [], [], []
    for topic, centre in enumerate(centres):
        for _ in range(per_topic):
            vectors.append(centre / np.linalg.norm(centre) + rng.normal(0, 0.08, 32))
            texts.append(TOPIC_WORDS[topic])
            topics.append(topic)
    for _ in range(noise):
        # Away from every topic: no share of the first three dimensions.
        vectors.append(rng.normal(0, 1, 32) * (np.arange(32) >= 3))
        texts.append("minutes of the partnership safeguarding practitioners")
        topics.append(-1)
    vectors = np.asarray(vectors, dtype=np.float32)
    order = rng.permutation(len(texts))
    vectors = (vectors / np.linalg.norm(vectors, axis=1, keepdims=True))[order]
    return [texts[i] for i in order], vectors, np.asarray(topics)[order]


@pytest.fixture(scope="module")
def large_corpus() -> tuple[list[str], np.ndarray, np.ndarray, ThemeParams]:
    """360 passages and parameters that fit a sample of 150 (a national corpus in miniature)."""
    texts, vectors, topics = _topics_and_noise(np.random.default_rng(3))
    params = replace(ThemeParams.for_corpus(len(texts)), fit_sample=150)
    return texts, vectors, topics, params


@pytest.fixture(scope="module")
def sampled_fit(large_corpus):
    texts, vectors, _, params = large_corpus
    return fit_themes(texts, vectors, params, spacy_model=None)


def test_a_corpus_no_larger_than_the_sample_is_fitted_whole() -> None:
    texts, vectors, _ = _topics_and_noise(np.random.default_rng(4), per_topic=60, noise=10)
    at_threshold = replace(ThemeParams.for_corpus(len(texts)), fit_sample=len(texts))
    whole = fit_themes(texts, vectors, at_threshold, spacy_model=None)
    never_sampled = fit_themes(
        texts, vectors, replace(at_threshold, fit_sample=10**9), spacy_model=None
    )
    assert whole.sample is None
    assert whole.assignments.tolist() == never_sampled.assignments.tolist()
    assert np.array_equal(whole.probabilities, never_sampled.probabilities)
    assert whole.keywords == never_sampled.keywords


def test_every_passage_of_a_sampled_fit_gets_a_theme_or_none(large_corpus, sampled_fit) -> None:
    texts, _, topics, params = large_corpus
    fitted = sampled_fit
    assert fitted.sample is not None and len(fitted.sample) == params.fit_sample
    assert len(np.unique(fitted.sample)) == params.fit_sample
    assert len(fitted.assignments) == len(texts)
    assert set(fitted.assignments.tolist()) <= {*fitted.theme_indices, OUTLIER}
    assert sorted(fitted.keywords) == fitted.theme_indices
    rest = np.setdiff1d(np.arange(len(texts)), fitted.sample)
    placed = rest[fitted.assignments[rest] != OUTLIER]
    assert len(placed) > 0.8 * (topics[rest] >= 0).sum()
    # A placed passage is close to its theme; an unplaced one has no similarity to show.
    assert (fitted.probabilities[placed] >= params.outlier_threshold).all()
    assert (fitted.probabilities[fitted.assignments == OUTLIER] == 0).all()
    # Placed by the theme its topic forms in the sample; the noise is left unassigned.
    in_sample = fitted.sample[fitted.assignments[fitted.sample] != OUTLIER]
    for row in placed:
        same_theme = in_sample[fitted.assignments[in_sample] == fitted.assignments[row]]
        assert np.bincount(topics[same_theme] + 1).argmax() - 1 == topics[row]
    assert (fitted.assignments[rest][topics[rest] == -1] == OUTLIER).all()


def test_a_sampled_fit_is_seeded(large_corpus, sampled_fit) -> None:
    texts, vectors, _, params = large_corpus
    again = fit_themes(texts, vectors, params, spacy_model=None)
    assert again.sample.tolist() == sampled_fit.sample.tolist()
    assert again.assignments.tolist() == sampled_fit.assignments.tolist()
    other_seed = sample_rows(len(texts), params.fit_sample, params.seed + 1)
    assert other_seed.tolist() != sampled_fit.sample.tolist()


def test_passages_in_the_sample_keep_the_sample_fit_themes(large_corpus, sampled_fit) -> None:
    texts, vectors, _, params = large_corpus
    rows = sampled_fit.sample
    alone = fit_themes(
        [texts[row] for row in rows],
        vectors[rows],
        sample_params(params),
        spacy_model=None,
    )
    assert alone.sample is None
    assert sampled_fit.assignments[rows].tolist() == alone.assignments.tolist()
    assert np.array_equal(sampled_fit.probabilities[rows], alone.probabilities)
    assert sampled_fit.keywords == alone.keywords


def test_a_sample_is_clustered_with_the_theme_sizes_of_a_corpus_its_size() -> None:
    params = replace(ThemeParams.for_corpus(1_000_000), fit_sample=100_000)
    sized = sample_params(params)
    assert (params.min_cluster_size, params.min_samples) == (333, 111)
    assert (sized.min_cluster_size, sized.min_samples) == (105, 35)
    assert sized.n_neighbors == params.n_neighbors and sized.fit_sample == 100_000


@given(st.lists(st.integers(1, 40), min_size=1, max_size=30), st.integers(0, 2**32 - 1))
def test_a_sample_given_places_takes_each_document_s_share(sizes: list[int], seed: int) -> None:
    places = [PassagePlace(f"doc-{d}", i) for d, size in enumerate(sizes) for i in range(size)]
    size = max(1, len(places) // 3)
    rows = sample_rows(len(places), size, seed, places)
    assert len(np.unique(rows)) == size
    taken = np.bincount([int(places[row].doc_id[4:]) for row in rows], minlength=len(sizes))
    share = np.asarray(sizes) * size / len(places)
    assert (np.floor(share) <= taken).all() and (taken <= np.ceil(share)).all()


# --- one document far larger than the others ---------------------------------------------------


@given(st.lists(st.integers(1, 600), min_size=1, max_size=40))
def test_no_document_gives_the_fit_more_than_its_share(sizes: list[int]) -> None:
    documents = [f"doc-{d}" for d, size in enumerate(sizes) for _ in range(size)]
    rows = rows_within_document_shares(documents)
    share = max(DOC_SHARE_FLOOR, int(DOC_SHARE_MEDIANS * np.median(sizes)))
    if max(sizes) <= share:
        assert rows is None
        return
    assert rows is not None and len(np.unique(rows)) == len(rows)
    taken = np.bincount([int(documents[row][4:]) for row in rows], minlength=len(sizes))
    assert taken.tolist() == [min(size, share) for size in sizes]
    # A large document is heard from its first passage to its last.
    for d, size in enumerate(sizes):
        mine = [row for row in rows if documents[row] == f"doc-{d}"]
        assert documents.index(f"doc-{d}") == mine[0] and mine[-1] == mine[0] + size - 1


HugeFile = tuple[list[str], np.ndarray, list[str], np.ndarray, int]


def _with_a_huge_file() -> HugeFile:
    """Three topics over 12 reviews, then a file of 3,000 passages in one voice near the first.

    Texts, vectors, documents, each review passage's topic, and how many review passages.
    """
    rng = np.random.default_rng(6)
    # Themes of 16 passages: heard whole, a fit of 3,000 passages more needs 18 to a theme.
    texts, vectors, topics = _topics_and_noise(rng, per_topic=16, noise=6)
    documents = [f"review-{row % 12}" for row in range(len(texts))]
    flood = np.zeros((3_000, vectors.shape[1]), dtype=np.float32)
    flood[:, 0], flood[:, 3] = 1.0, 0.5
    flood += rng.normal(0, 0.05, flood.shape).astype(np.float32)
    flood /= np.linalg.norm(flood, axis=1, keepdims=True)
    return (
        texts + ["the same long transcript again"] * len(flood),
        np.vstack([vectors, flood]),
        documents + ["huge-file"] * len(flood),
        topics,
        len(texts),
    )


def test_one_huge_document_does_not_swallow_the_themes_of_the_others() -> None:
    texts, vectors, documents, topics, reviews = _with_a_huge_file()
    params = ThemeParams.for_corpus(len(texts))
    fitted = fit_themes(texts, vectors, params, spacy_model=None, documents=documents)
    assert fitted.sample is not None and len(fitted.sample) == reviews + DOC_SHARE_FLOOR
    # Each of the reviews' three topics is still a theme of its own, as in a fit without it.
    ours = fitted.assignments[:reviews]
    themes_of_topics = [
        np.bincount(ours[(topics == topic) & (ours != OUTLIER)]).argmax() for topic in range(3)
    ]
    assert len(set(themes_of_topics)) == 3
    for topic, theme in enumerate(themes_of_topics):
        assert (ours[topics == topic] == theme).mean() > 0.8
    assert fitted.params.min_cluster_size == params.min_cluster_size  # as the run records it


def test_a_sample_of_a_large_corpus_is_drawn_within_the_document_shares() -> None:
    # Above fit_sample the sample was drawn from every row, so the huge file filled it.
    texts, vectors, documents, _, _ = _with_a_huge_file()
    params = replace(ThemeParams.for_corpus(len(texts)), fit_sample=150)
    fitted = fit_themes(texts, vectors, params, spacy_model=None, documents=documents)
    within = rows_within_document_shares(documents)
    assert within is not None and fitted.sample is not None
    assert len(fitted.sample) == params.fit_sample
    assert set(fitted.sample.tolist()) <= set(within.tolist())
