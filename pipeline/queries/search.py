"""Search: keyword (BM25 over DuckDB's full-text index) and by meaning (a cached vector index).

Both rank the whole corpus without reading its text, then look up only the best few passages by
key, widening until enough pass the filters.
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
from pipeline.storage.search_index import load_fts, search_index_exists

if TYPE_CHECKING:
    import torch

SEARCH_COLUMNS = [
    "passage_id", "text", "title", "area", "region", "review_date", "speaker", "score", "theme_id",
    "scope", "via_mention",
]  # fmt: skip


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


def search_keyword(
    con: duckdb.DuckDBPyConnection, query: str, filters: Filters = NO_FILTERS, limit: int = 20
) -> pd.DataFrame:
    """Passages ranked by BM25 (DuckDB full-text search) for a query, bound as a parameter.

    Equal scores keep the index's order (the order passages were stored in).
    """
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
            "works meanwhile."
        ) from exc
    rows, scores = np.asarray(hits["docid"]), np.asarray(hits["score"], dtype=np.float64)
    if not len(rows):
        return pd.DataFrame(columns=SEARCH_COLUMNS)
    order = np.lexsort((rows, -scores))
    ranked: list[str] = []

    def best(wanted: int) -> list[str]:
        new = [int(row) for row in rows[order[len(ranked) : wanted]]]
        passage_of = _sql.mapping(
            con, "search", "passage_ids_of_index_rows", "docid", "passage_id", {"docids": new}
        )
        ranked.extend(passage_of[row] for row in new)
        return ranked

    found = _passing(con, best, len(rows), filters, limit)
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


@dataclass(frozen=True)
class _VectorIndex:
    """Passage vectors (float16) and each passage's current theme (-1: none), rows aligned."""

    ids: list[str]
    vectors: torch.Tensor
    themes: np.ndarray


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
        _VECTOR_CACHE[key] = _VectorIndex(ids, torch.from_numpy(vectors.astype(np.float16)), themes)
    return _VECTOR_CACHE[key]


def _best(scores: np.ndarray, count: int) -> np.ndarray:
    """Indices of the `count` highest scores, best first."""
    if count >= len(scores):
        return np.argsort(-scores, kind="stable")
    top = np.argpartition(-scores, count - 1)[:count]
    return top[np.argsort(-scores[top], kind="stable")]


def search_semantic(
    con: duckdb.DuckDBPyConnection,
    query: str,
    embedder: object,
    filters: Filters = NO_FILTERS,
    limit: int = 10,
) -> pd.DataFrame:
    """Passages nearest in meaning to a query (cosine over every cached passage vector)."""
    import torch

    index = _vector_index(con, embedder.name)  # type: ignore[attr-defined]
    ids = index.ids
    if not ids:
        return pd.DataFrame(columns=SEARCH_COLUMNS)
    query_vector = embedder.embed_batch([query])[0]  # type: ignore[attr-defined]
    scores = (index.vectors @ torch.from_numpy(query_vector.astype(np.float16))).float().numpy()
    top = np.zeros(0, dtype=np.int64)

    def best(wanted: int) -> list[str]:
        # A partial sort: O(n), not O(n log n).
        nonlocal top
        top = _best(scores, wanted)
        return [ids[i] for i in top]

    found = _passing(con, best, len(ids), filters, limit)
    score_of = {ids[i]: float(scores[i]) for i in top}
    theme_of = {ids[i]: int(index.themes[i]) for i in top if index.themes[i] != -1}
    found["score"] = found["passage_id"].map(score_of)
    found["theme_id"] = pd.array([theme_of.get(i) for i in found["passage_id"]], dtype="Int32")
    rank = {
        passage_id: position
        for position, passage_id in enumerate(
            sorted(score_of, key=lambda passage_id: (-score_of[passage_id], passage_id))
        )
    }
    return _ranked(found, rank, limit)
