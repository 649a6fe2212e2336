"""Search: keyword (BM25), by meaning (a cached vector index) and hybrid (the two fused).

Interviewers' questions rank after the answers wherever a caller asks (the CLI and viewer do).

Each ranks the whole corpus without reading its text, then looks up only the best few passages
by key, widening until enough pass the filters.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import duckdb
import numpy as np
import pandas as pd

from pipeline.errors import SearchIndexError
from pipeline.queries import _sql
from pipeline.queries.filters import NO_FILTERS, Filters
from pipeline.queries.runs import latest_run_id
from pipeline.search_modes import QUESTION_PLACEMENTS, SEARCH_MODES, Questions, SearchMode
from pipeline.storage.search_index import load_fts, search_index_exists

if TYPE_CHECKING:
    import torch

SEARCH_COLUMNS = [
    "passage_id", "text", "title", "area", "region", "review_date", "review_date_precision",
    "speaker", "speaker_role", "score", "theme_id", "scope", "via_mention",
]  # fmt: skip


@dataclass(frozen=True)
class Fusion:
    """Reciprocal-rank fusion of the keyword and the meaning ranking, for hybrid search.

    A passage scores `keyword_weight / (k + its BM25 rank) + semantic_weight / (k + its cosine
    rank)`, ranks counted from 1 over the whole corpus; a passage holding none of the query's
    words has no keyword part. Two rules, off by default (measured, below):
    `keyword_min_cosine` gives the keyword part only to passages at least that near by meaning
    (a shared word far in meaning is noise for a paraphrase); `min_words` scales a shorter
    passage's score by its length over this many words (a heading or "Yes." rarely is evidence).
    """

    k: float = 60.0
    keyword_weight: float = 1.0
    semantic_weight: float = 1.0
    keyword_min_cosine: float = -1.0
    min_words: int = 0


# Plain RRF (k = 60, equal weights). Measured on our paraphrase queries against our pooled
# relevance judgments (bench/search_quality.py): no k in 5-120 or semantic weight in 0.5-4, no
# keyword cosine floor, length prior, pseudo-relevance feedback or question context moved
# precision@5 by more than 0.03 on either corpus or half, none gained on every half, and equal
# weights keep a passage that is first by words and near by meaning first (a name, a place),
# which paraphrases do not test.
DEFAULT_FUSION = Fusion()


def _passing(
    con: duckdb.DuckDBPyConnection,
    best: Callable[[int], list[str]],
    available: int,
    filters: Filters,
    limit: int,
) -> pd.DataFrame:
    """The passages among the `best(wanted)` ids that pass the filters, widening until `limit`.

    A search ranks the whole corpus without reading it; only the few best passages are looked up,
    by key, so a query on a million passages reads tens of rows, not a million.
    """
    wanted = limit * 5
    while True:
        params = filters.params() | {"ids": best(wanted)}
        found = _sql.frame(con, "search", "passages_by_id", params)
        if len(found) >= limit or wanted >= available:
            return found
        wanted *= 8


def _ranked(found: pd.DataFrame, rank: dict[str, int], limit: int) -> pd.DataFrame:
    """The found passages in the search's order, best first."""
    found["rank"] = found["passage_id"].map(rank)
    found = found.sort_values("rank").head(limit).drop(columns="rank")
    return found[SEARCH_COLUMNS].reset_index(drop=True)


def _tiers(questions: np.ndarray, placement: Questions) -> list[np.ndarray]:
    """Masks of the rows a search may return, in the order their groups rank.

    `last`: the answers, then the questions; `hide`: the answers; `show`: every row. Groups, not
    a lowered score, so that no score is ever shifted (a shift loses close scores' order).
    """
    if placement not in QUESTION_PLACEMENTS:
        raise ValueError(f"questions must be one of {', '.join(QUESTION_PLACEMENTS)}")
    if placement == Questions.show or not questions.any():
        return [np.ones(len(questions), dtype=bool)]
    if placement == Questions.hide:
        return [~questions]
    return [~questions, questions]


def _order(
    scores: np.ndarray, rows: np.ndarray, questions: np.ndarray, placement: Questions
) -> np.ndarray:
    """Positions of `scores` best first, group by group (`_tiers`), equal scores by row."""
    groups = []
    for mask in _tiers(questions, placement):
        (inside,) = np.nonzero(mask)
        groups.append(inside[np.lexsort((rows[inside], -scores[inside]))])
    return np.concatenate(groups) if groups else np.zeros(0, dtype=np.int64)


@dataclass(frozen=True)
class _KeywordHits:
    """Every passage holding a query term: its row in the full-text index and its BM25."""

    rows: np.ndarray
    scores: np.ndarray


def _keyword_hits(con: duckdb.DuckDBPyConnection, query: str) -> _KeywordHits:
    """BM25 of every passage that holds one of the query's terms (the query bound as a value)."""
    load_fts(con)
    try:
        terms = _sql.column(con, "search", "keyword_terms", {"query": query})
        hits = _sql.arrays(con, "search", "keyword_scores", {"termids": terms})
    except duckdb.CatalogException as exc:
        if search_index_exists(con):
            raise
        # A snapshot published by an older version: say so rather than fail on a missing table.
        raise SearchIndexError(
            "this database has no up-to-date keyword index (it was built by an older Findings "
            "or before any ingest); the next `findings run` rebuilds it. Search by meaning "
            "(--mode semantic) works meanwhile."
        ) from exc
    return _KeywordHits(
        np.asarray(hits["docid"], dtype=np.int64), np.asarray(hits["score"], dtype=np.float64)
    )


_QUESTION_ROWS_CACHE: dict[tuple[str, int], np.ndarray] = {}


def _question_index_rows(con: duckdb.DuckDBPyConnection) -> np.ndarray:
    """The full-text index rows of interviewers' questions, sorted; read once per file."""
    database = _sql.scalar(con, "search", "database_file")
    key = (str(database or ""), int(_sql.scalar(con, "search", "passage_count") or 0))  # type: ignore[call-overload]
    if key not in _QUESTION_ROWS_CACHE:
        _QUESTION_ROWS_CACHE.clear()
        rows = _sql.column(con, "search", "question_index_rows")
        _QUESTION_ROWS_CACHE[key] = np.sort(np.asarray(rows, dtype=np.int64))
    return _QUESTION_ROWS_CACHE[key]


def search_keyword(
    con: duckdb.DuckDBPyConnection,
    query: str,
    filters: Filters = NO_FILTERS,
    limit: int = 20,
    questions: Questions = Questions.show,
) -> pd.DataFrame:
    """Passages ranked by BM25 (DuckDB full-text search) for a query, bound as a parameter.

    Equal scores keep the index's order (the order passages were stored in).
    """
    hits = _keyword_hits(con, query)
    if not len(hits.rows):
        return pd.DataFrame(columns=SEARCH_COLUMNS)
    flags = (
        np.isin(hits.rows, _question_index_rows(con))
        if questions != Questions.show
        else np.zeros(len(hits.rows), dtype=bool)
    )
    order = _order(hits.scores, hits.rows, flags, questions)
    if not len(order):
        return pd.DataFrame(columns=SEARCH_COLUMNS)
    rows, scores = hits.rows, hits.scores
    ranked: list[str] = []

    def best(wanted: int) -> list[str]:
        new = [int(row) for row in rows[order[len(ranked) : wanted]]]
        passage_of = _sql.mapping(
            con, "search", "passage_ids_of_index_rows", "docid", "passage_id", {"docids": new}
        )
        ranked.extend(passage_of[row] for row in new)
        return ranked

    found = _passing(con, best, len(order), filters, limit)
    rank = {passage_id: position for position, passage_id in enumerate(ranked)}
    score_of = {passage_id: float(scores[order[rank[passage_id]]]) for passage_id in ranked}
    found["score"] = found["passage_id"].map(score_of)
    themes = _sql.mapping(
        con,
        "search",
        "current_themes_of_passages",
        "passage_id",
        "theme_id",
        {"ids": found["passage_id"].tolist()},
    )
    found["theme_id"] = pd.array([themes.get(i) for i in found["passage_id"]], dtype="Int32")
    return _ranked(found, rank, limit)


@dataclass
class _VectorIndex:
    """Passage vectors (float16), current themes (-1: none) and questions, rows aligned.

    `rows_of_index_rows`, filled when a hybrid search first asks, holds the vector row of each
    full-text index row (-1: no vector).
    """

    ids: list[str]
    vectors: torch.Tensor
    themes: np.ndarray
    questions: np.ndarray
    rows_of_index_rows: np.ndarray | None = None
    words: np.ndarray | None = None


_VECTOR_CACHE: dict[tuple[str, str, int, str], _VectorIndex] = {}


def _vector_index(con: duckdb.DuckDBPyConnection, model: str) -> _VectorIndex:
    """Passage vectors and current themes, read once per database file, content and theme run.

    Vectors are held as float16: a search reads half the memory (at a million passages the
    product with the query is memory-bound: 47 ms instead of 78 ms) and the cache is half the size,
    while cosine scores stay within 3e-4 of float32's (measured on the sample corpus;
    tests/queries holds them within 1e-3).
    The themes ride along so that a search need not look them up among a million rows.
    """
    from pipeline.storage.embeddings import passage_vectors

    database = _sql.scalar(con, "search", "database_file")
    count = _sql.scalar(con, "search", "embedding_count", {"model": model})
    passages = _sql.scalar(con, "search", "passage_count")
    run = latest_run_id(con)
    key = (
        str(database if database is not None else ""),
        model,
        int(count) * 1_000_003 + int(passages),  # type: ignore[call-overload]
        run or "",
    )
    if key not in _VECTOR_CACHE:
        import torch

        _VECTOR_CACHE.clear()
        ids, vectors = passage_vectors(con, model)
        theme_of = _sql.mapping(
            con, "search", "current_theme_of_passages", "passage_id", "theme_id"
        )
        themes = np.array([theme_of.get(i, -1) for i in ids], dtype=np.int32)
        asked = set(_sql.column(con, "search", "question_passages"))
        questions = np.array([i in asked for i in ids], dtype=bool)
        _VECTOR_CACHE[key] = _VectorIndex(
            ids, torch.from_numpy(vectors.astype(np.float16)), themes, questions
        )
    return _VECTOR_CACHE[key]


def _vector_rows_of_index_rows(con: duckdb.DuckDBPyConnection, index: _VectorIndex) -> np.ndarray:
    """For each full-text index row, its passage's row in the vector index (-1: none)."""
    if index.rows_of_index_rows is None:
        rows = _sql.arrays(con, "search", "index_rows")
        docids = np.asarray(rows["docid"], dtype=np.int64)
        row_of = {passage_id: row for row, passage_id in enumerate(index.ids)}
        mapped = np.full(int(docids.max()) + 1 if len(docids) else 0, -1, dtype=np.int64)
        mapped[docids] = [row_of.get(i, -1) for i in rows["passage_id"].tolist()]
        index.rows_of_index_rows = mapped
    return index.rows_of_index_rows


def _best(scores: np.ndarray, count: int) -> np.ndarray:
    """Indices of the `count` highest scores, best first."""
    if count >= len(scores):
        return np.argsort(-scores, kind="stable")
    top = np.argpartition(-scores, count - 1)[:count]
    return top[np.argsort(-scores[top], kind="stable")]


def _cosines(index: _VectorIndex, embedder: object, query: str) -> np.ndarray:
    """The query's cosine to every passage in the index, rows aligned."""
    import torch

    query_vector = embedder.embed_batch([query])[0]  # type: ignore[attr-defined]
    return (index.vectors @ torch.from_numpy(query_vector.astype(np.float16))).float().numpy()


def _passage_words(con: duckdb.DuckDBPyConnection, index: _VectorIndex) -> np.ndarray:
    """Each vector-index row's length in words, read when a length rule first asks."""
    if index.words is None:
        words_of = _sql.mapping(con, "search", "passage_words", "passage_id", "n_words")
        index.words = np.array([words_of.get(i) or 0 for i in index.ids], dtype=np.int32)
    return index.words


def _search_vectors(
    con: duckdb.DuckDBPyConnection,
    index: _VectorIndex,
    scores: np.ndarray,
    filters: Filters,
    limit: int,
    questions: Questions,
) -> pd.DataFrame:
    """The best passages by a score per vector-index row, questions placed, filters applied."""
    ids = index.ids
    tiers = _tiers(index.questions, questions)
    keys = [np.where(mask, scores, -np.inf) for mask in tiers]
    sizes = [int(mask.sum()) for mask in tiers]
    available = sum(sizes)
    top = np.zeros(0, dtype=np.int64)

    def best(wanted: int) -> list[str]:
        # A partial sort per group: O(n), not O(n log n); a group's -inf rows are never taken.
        nonlocal top
        picked = []
        for key, size in zip(keys, sizes, strict=True):
            take = min(wanted - sum(len(p) for p in picked), size)
            if take <= 0:
                break
            picked.append(_best(key, take))
        top = np.concatenate(picked) if picked else np.zeros(0, dtype=np.int64)
        return [ids[i] for i in top]

    found = _passing(con, best, available, filters, limit)
    score_of = {ids[i]: float(scores[i]) for i in top}
    group_of = {ids[i]: int(index.questions[i]) * (len(tiers) - 1) for i in top}
    theme_of = {ids[i]: int(index.themes[i]) for i in top if index.themes[i] != -1}
    found["score"] = found["passage_id"].map(score_of)
    found["theme_id"] = pd.array([theme_of.get(i) for i in found["passage_id"]], dtype="Int32")
    rank = {
        passage_id: position
        for position, passage_id in enumerate(
            sorted(score_of, key=lambda p: (group_of[p], -score_of[p], p))
        )
    }
    return _ranked(found, rank, limit)


def search_semantic(
    con: duckdb.DuckDBPyConnection,
    query: str,
    embedder: object,
    filters: Filters = NO_FILTERS,
    limit: int = 10,
    questions: Questions = Questions.show,
) -> pd.DataFrame:
    """Passages nearest in meaning to a query (cosine over every cached passage vector)."""
    index = _vector_index(con, embedder.name)  # type: ignore[attr-defined]
    if not index.ids:
        return pd.DataFrame(columns=SEARCH_COLUMNS)
    return _search_vectors(con, index, _cosines(index, embedder, query), filters, limit, questions)


def _ranks(scores: np.ndarray) -> np.ndarray:
    """Each row's rank by score, best first, counted from 1 (ties in row order)."""
    ranks = np.empty(len(scores), dtype=np.float64)
    ranks[np.argsort(-scores, kind="stable")] = np.arange(1, len(scores) + 1)
    return ranks


def fused_scores(
    cosines: np.ndarray,
    keyword_rows: np.ndarray,
    keyword_scores: np.ndarray,
    fusion: Fusion = DEFAULT_FUSION,
    words: np.ndarray | None = None,
) -> np.ndarray:
    """Reciprocal-rank fusion per vector-index row of the meaning ranking and the keyword one.

    `keyword_rows` are the vector rows of the keyword hits (-1: a passage without a vector,
    left out), `keyword_scores` their BM25; equal BM25 rank in row order.
    """
    fused = fusion.semantic_weight / (fusion.k + _ranks(cosines))
    if len(keyword_rows):
        order = np.lexsort((keyword_rows, -keyword_scores))
        keyword_rank = np.empty(len(order), dtype=np.float64)
        keyword_rank[order] = np.arange(1, len(order) + 1)
        known = keyword_rows >= 0
        rows = keyword_rows[known]
        part = fusion.keyword_weight / (fusion.k + keyword_rank[known])
        fused[rows] += np.where(cosines[rows] >= fusion.keyword_min_cosine, part, 0.0)
    if fusion.min_words and words is not None:
        fused *= np.minimum(1.0, words / fusion.min_words)
    return fused


def search_hybrid(
    con: duckdb.DuckDBPyConnection,
    query: str,
    embedder: object,
    filters: Filters = NO_FILTERS,
    limit: int = 10,
    questions: Questions = Questions.last,
    fusion: Fusion = DEFAULT_FUSION,
) -> pd.DataFrame:
    """Passages by keyword and by meaning at once: BM25 and cosine ranks fused (`Fusion`).

    The score is the fused one. Passages not yet embedded are left out (a run embeds them); with
    none embedded yet (ingested, never run), the words are all there is: keyword search.
    """
    index = _vector_index(con, embedder.name)  # type: ignore[attr-defined]
    if not index.ids:
        return search_keyword(con, query, filters, limit, questions)
    hits = _keyword_hits(con, query)
    vector_rows = _vector_rows_of_index_rows(con, index)
    in_range = hits.rows < len(vector_rows)
    rows = np.where(in_range, vector_rows[np.where(in_range, hits.rows, 0)], -1)
    words = _passage_words(con, index) if fusion.min_words else None
    fused = fused_scores(_cosines(index, embedder, query), rows, hits.scores, fusion, words)
    return _search_vectors(con, index, fused, filters, limit, questions)


def passages_not_embedded(con: duckdb.DuckDBPyConnection, model: str) -> int:
    """How many passages a search by meaning cannot see yet (no vector for `model`).

    Read off the vector index a search has just loaded (cached), not by a scan of its own.
    """
    passages = int(_sql.scalar(con, "search", "passage_count"))  # type: ignore[call-overload]
    return passages - len(_vector_index(con, model).ids)


def search_passages(
    con: duckdb.DuckDBPyConnection,
    query: str,
    mode: SearchMode = SearchMode.hybrid,
    embedder: object | None = None,
    filters: Filters = NO_FILTERS,
    limit: int = 10,
    questions: Questions = Questions.last,
) -> pd.DataFrame:
    """Search in one of `SEARCH_MODES` (hybrid by default), questions after answers by default.

    `embedder` (the model the passages were embedded with) is needed except for keyword search.
    """
    if mode not in SEARCH_MODES:
        raise ValueError(f"mode must be one of {', '.join(SEARCH_MODES)}")
    if mode == "keyword":
        return search_keyword(con, query, filters, limit, questions)
    if embedder is None:
        raise ValueError(f"{mode} search needs the embedding model")
    if mode == "semantic":
        return search_semantic(con, query, embedder, filters, limit, questions)
    return search_hybrid(con, query, embedder, filters, limit, questions)
