"""Embedding what is missing: every passage text with no vector for the model, batch by batch.

A passage is never embedded twice: the cache key is (sha256 of the text, model name), the missing
keys are found in one query, and each batch of vectors is written in one transaction, so a run
killed midway resumes where it stopped.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import duckdb

from pipeline.faults import crash_point
from pipeline.storage.embeddings import count_distinct_texts, missing_texts, write_vectors

if TYPE_CHECKING:
    # Only for the annotation: `models` re-exports this module, so a runtime import would cycle.
    from pipeline.embed.models import Embedder

log = logging.getLogger(__name__)


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
    missing = sorted(missing_texts(con, embedder.name), key=lambda row: len(row.text))
    total_texts = count_distinct_texts(con)
    done = 0
    for start in range(0, len(missing), batch_size):
        batch = missing[start : start + batch_size]
        write_vectors(con, embedder.name, batch, embedder.embed_batch([m.text for m in batch]))
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
