"""The embedding stage's reads and writes: which texts lack a vector, and storing vectors.

Every statement is named SQL in `sql/embed.sql`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import duckdb
import numpy as np

from pipeline.storage.named_sql import named_queries
from pipeline.storage.transaction import transaction


class MissingText(NamedTuple):
    """A distinct passage text with no vector for a model yet, keyed by its sha256."""

    text_sha: str
    text: str


def missing_texts(con: duckdb.DuckDBPyConnection, model: str) -> list[MissingText]:
    """Every distinct passage text with no vector for this model, in text-hash order."""
    rows = con.execute(named_queries("embed")["texts_missing_embeddings"], [model]).fetchall()
    return [MissingText(text_sha, text) for text_sha, text in rows]


def count_missing_embeddings(con: duckdb.DuckDBPyConnection, model: str) -> int:
    """How many distinct passage texts have no vector for this model (cheap; no model load)."""
    return len(missing_texts(con, model))


def count_distinct_texts(con: duckdb.DuckDBPyConnection) -> int:
    """How many distinct passage texts there are, embedded or not."""
    row = con.execute(named_queries("embed")["count_distinct_texts"]).fetchone()
    return int(row[0]) if row else 0


def write_vectors(
    con: duckdb.DuckDBPyConnection,
    model: str,
    batch: Sequence[tuple[str, str]],
    vectors: np.ndarray,
) -> None:
    """Store one batch of vectors in one transaction, so a killed run keeps whole batches only.

    `batch` holds (text sha256, text) pairs, such as `MissingText`s, in the vectors' order.
    The batch goes in as one Arrow table: row-by-row inserts of 384 floats cost a third of
    the model's own time.
    """
    import pyarrow as pa

    if len(batch) != len(vectors):
        raise ValueError(f"{len(batch)} texts but {len(vectors)} vectors")
    flat = pa.array(np.ascontiguousarray(vectors, dtype=np.float32).ravel(), pa.float32())
    table = pa.table(
        {
            "text_sha": [sha for sha, _ in batch],
            "model": [model] * len(batch),
            "vector": pa.FixedSizeListArray.from_arrays(flat, vectors.shape[1]),
        }
    )
    con.register("vector_batch", table)
    try:
        with transaction(con):
            con.execute(named_queries("embed")["insert_embedding_batch"])
    finally:
        con.unregister("vector_batch")


def passage_vectors(con: duckdb.DuckDBPyConnection, model: str) -> tuple[list[str], np.ndarray]:
    """Passage ids and their vectors (rows in the same order), for passages that have one."""
    table = con.execute(named_queries("embed")["passage_vectors"], [model]).to_arrow_table()
    ids = table.column("passage_id").to_pylist()
    if not ids:
        return [], np.zeros((0, 0), dtype=np.float32)
    flat = table.column("vector").combine_chunks().flatten().to_numpy()
    return ids, flat.reshape(len(ids), -1).astype(np.float32)
