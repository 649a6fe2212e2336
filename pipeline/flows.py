"""Prefect flows: thin wrappers over the stage functions, one flow per stage and a parent.

Stages stay plain functions (tested without Prefect); here they gain logging through Prefect's
logger, retries where I/O can fail transiently (reading the inbox, opening the warehouse file),
and a markdown artifact per refresh that says what changed.
"""

from __future__ import annotations

from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact

from pipeline.codebook import load_codebook
from pipeline.embed import (
    EmbedReport,
    LazyEmbedder,
    count_missing_embeddings,
    embed_passages,
    load_embedder,
    model_name,
)
from pipeline.ingest import Ingester
from pipeline.publish import publish_snapshot, run_lock
from pipeline.settings import Settings
from pipeline.storage import named_queries, open_warehouse
from pipeline.theme_runs import ThemeRunner


def _settings(db: str | None) -> Settings:
    settings = Settings()
    return settings.model_copy(update={"db": Path(db)}) if db else settings


@task(retries=2, retry_delay_seconds=5)
def ingest_task(db: str | None, folders: list[str]) -> dict[str, object]:
    """Ingest folders of reviews (retried: a network share or inbox can blink)."""
    settings = _settings(db)
    with open_warehouse(settings.db) as con:
        report = Ingester(con, settings).ingest([Path(f) for f in folders if Path(f).exists()])
    get_run_logger().info(
        "ingested %d documents (%d passages), skipped %d, %d errors",
        report.added,
        report.passages,
        report.skipped,
        len(report.errors),
    )
    return report.as_dict()


@task
def embed_task(db: str | None) -> dict[str, object]:
    """Embed passages that have no vector yet."""
    settings = _settings(db)
    with open_warehouse(settings.db) as con:
        name = model_name(settings.embedding_model)
        if not count_missing_embeddings(con, name):
            get_run_logger().info("nothing new to embed: the model is not even loaded")
            cached = con.execute(named_queries("embed")["count_distinct_texts"]).fetchone()[0]
            return EmbedReport(0, cached, name, 0.0).as_dict()
        report = embed_passages(
            con, load_embedder(settings.embedding_model), settings.embed_batch_size
        )
    get_run_logger().info("embedded %d passages at %.1f/s", report.embedded, report.passages_per_s)
    return report.as_dict()


@task
def themes_task(db: str | None, refit: bool = False) -> dict[str, object]:
    """Update (or refit) the themes and list the changes."""
    settings = _settings(db)
    with open_warehouse(settings.db) as con:
        embedder = LazyEmbedder(settings.embedding_model)
        runner = ThemeRunner(con, embedder, load_codebook(settings.codebook), settings.spacy_model)
        report = runner.run(refit=refit)
        listed = con.execute(named_queries("themes")["theme_summary"]).fetchall()
    get_run_logger().info("theme run %s: %s", report.run_id, report.as_dict())
    return report.as_dict() | {
        "new_labels": [r[1] for r in listed if r[2] == "new"],
    }


@task(retries=2, retry_delay_seconds=2)
def publish_task(db: str | None, run_id: str) -> str:
    """Publish the read-only snapshot readers use."""
    return str(publish_snapshot(_settings(db).db, run_id))


@flow(name="ingest")
def ingest_flow(corpus: str = "corpus", db: str | None = None) -> dict[str, object]:
    """Ingest a folder of reviews."""
    return ingest_task(db, [corpus])


@flow(name="embed")
def embed_flow(db: str | None = None) -> dict[str, object]:
    """Embed what is new."""
    return embed_task(db)


@flow(name="themes")
def themes_flow(db: str | None = None, refit: bool = False) -> dict[str, object]:
    """Update the themes and publish."""
    with run_lock(_settings(db).db):
        report = themes_task(db, refit)
        publish_task(db, str(report["run_id"]))
    return report


@flow(name="refresh")
def refresh_flow(
    corpus: str = "corpus",
    inbox: str = "corpus/inbox",
    db: str | None = None,
    refit: bool = False,
) -> dict[str, object]:
    """Ingest the corpus and the inbox, embed, update themes, publish; report what changed."""
    with run_lock(_settings(db).db):
        ingested = ingest_task(db, [corpus, inbox])
        embedded = embed_task(db)
        themes = themes_task(db, refit)
        snapshot = publish_task(db, str(themes["run_id"]))
    summary = {
        "run_id": themes["run_id"],
        "documents_added": ingested["added"],
        "passages_added": ingested["passages_added"],
        "passages_embedded": embedded["embedded"],
        "themes": themes["themes"],
        "new_themes": themes["new_themes"],
        "outlier_share": themes["outlier_share"],
        "snapshot": snapshot,
        "errors": ingested["errors"],
    }
    lines = [
        f"# Findings refresh {themes['run_id']}",
        "",
        f"- documents added: {ingested['added']} (skipped {ingested['skipped']})",
        f"- passages embedded: {embedded['embedded']}",
        f"- themes: {themes['themes']} ({themes['new_themes']} new, "
        f"{themes['dormant_themes']} now dormant), {themes['outlier_share']:.1%} unassigned",
    ]
    lines += [f"- new theme: {label}" for label in themes["new_labels"]]
    lines += [f"- error: `{e['path']}`: {e['reason']}" for e in ingested["errors"]]
    create_markdown_artifact(
        "\n".join(lines), key="findings-refresh", description="What this refresh changed"
    )
    return summary
