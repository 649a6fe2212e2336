from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np

from pipeline.embed.missing import embed_passages
from pipeline.ingest.ingester import Ingester
from pipeline.storage.embeddings import (
    MissingText,
    count_distinct_texts,
    count_missing_embeddings,
    missing_texts,
    passage_vectors,
)
from tests.ingest.test_ingester import TRANSCRIPT


class FakeEmbedder:
    """Deterministic unit vectors from text length: enough to test the plumbing."""

    name = "fake"

    def __init__(self) -> None:
        self.calls: list[int] = []

    def embed_batch(self, texts: list[str]) -> np.ndarray:
        self.calls.append(len(texts))
        vectors = np.array([[len(t), 1.0, 0.0] for t in texts], dtype=np.float32)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def ingested(ingester: Ingester, tmp_path: Path) -> duckdb.DuckDBPyConnection:
    path = tmp_path / "blackpool.txt"
    path.write_text(TRANSCRIPT, encoding="utf-8")
    ingester.ingest([path])
    return ingester.con


def test_missing_texts_are_named_records_in_hash_order(ingester: Ingester, tmp_path: Path) -> None:
    con = ingested(ingester, tmp_path)
    missing = missing_texts(con, "fake")
    assert all(isinstance(m, MissingText) for m in missing)
    assert [m.text_sha for m in missing] == sorted(m.text_sha for m in missing)
    assert len(missing) == count_distinct_texts(con) == count_missing_embeddings(con, "fake")


def test_embedding_what_is_missing_in_batches_then_nothing(
    ingester: Ingester, tmp_path: Path
) -> None:
    con = ingested(ingester, tmp_path)
    embedder = FakeEmbedder()
    done: list[tuple[int, int]] = []
    first = embed_passages(con, embedder, batch_size=2, on_batch=lambda d, t: done.append((d, t)))
    total = count_distinct_texts(con)
    assert (first.embedded, first.cached) == (total, 0)
    assert all(size <= 2 for size in embedder.calls) and done[-1] == (total, total)
    second = embed_passages(con, embedder, batch_size=2)
    assert (second.embedded, second.cached) == (0, total)
    ids, vectors = passage_vectors(con, "fake")
    assert vectors.shape == (len(ids), 3)
    assert count_missing_embeddings(con, "fake") == 0
