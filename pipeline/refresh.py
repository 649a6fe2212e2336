"""The whole pipeline in one call: ingest a folder, embed what is new, update the themes."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from pipeline.codebook import load_codebook
from pipeline.embed import embed_passages, load_embedder
from pipeline.ingest import Ingester
from pipeline.publish import publish_snapshot, run_lock
from pipeline.settings import Settings
from pipeline.storage import open_warehouse
from pipeline.theme_runs import ThemeRunner

log = logging.getLogger(__name__)


def refresh(
    settings: Settings,
    corpus: Path | None = None,
    *,
    refit: bool = False,
    on_stage: Callable[[str], None] | None = None,
) -> dict[str, object]:
    """Ingest `corpus` (default: the settings' corpus), embed, fit themes; return a summary."""
    folder = corpus or settings.corpus
    stage = on_stage or (lambda name: None)
    # One lock across writing and publishing: a second run waits for neither, it fails at once.
    with run_lock(settings.db):
        with open_warehouse(settings.db) as con:
            stage("ingest")
            ingested = Ingester(con, settings).ingest([folder])
            stage("embed")
            embedder = load_embedder(settings.embedding_model)
            embedded = embed_passages(con, embedder, batch_size=settings.embed_batch_size)
            stage("themes")
            runner = ThemeRunner(
                con, embedder, load_codebook(settings.codebook), settings.spacy_model
            )
            themes = runner.run(refit=refit)
        stage("publish")  # after the write connection closed, so the file is checkpointed
        snapshot = publish_snapshot(settings.db, themes.run_id)
    log.info("published %s", snapshot)
    return {
        "run_id": themes.run_id,
        "documents_added": ingested.added,
        "passages_added": ingested.passages,
        "passages_embedded": embedded.embedded,
        "themes": themes.n_themes,
        "new_themes": themes.new_themes,
        "outlier_share": round(themes.outlier_share, 4),
        "mode": themes.mode,
        "snapshot": str(snapshot),
        "errors": ingested.errors,
    }
