"""Prefect flows: thin wrappers over the stage functions, one flow per stage and a parent.

Stages stay plain functions (tested without Prefect); here they gain logging through Prefect's
logger, retries where I/O can fail transiently (reading the inbox, opening the warehouse file),
and a markdown artifact per refresh that says what changed.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Mapping
from contextlib import AbstractContextManager
from dataclasses import asdict
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.settings import PREFECT_DEFAULTS

# Before Prefect is imported: it reads its settings once.
os.environ.update({name: os.environ.get(name, value) for name, value in PREFECT_DEFAULTS.items()})

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.events import DeploymentEventTrigger
from prefect.events.schemas.automations import Posture
from prefect.futures import as_completed
from prefect.task_runners import TaskRunner

from pipeline import progress
from pipeline.access.codings import load_decisions
from pipeline.embed.missing import EmbedReport, embed_passages
from pipeline.embed.models import LazyEmbedder, load_embedder, model_name
from pipeline.faults import crash_point
from pipeline.ingest.files import discover_files
from pipeline.ingest.ingester import Ingester
from pipeline.ingest.parallel import preparing_on
from pipeline.queries import theme_summary
from pipeline.settings import Settings
from pipeline.storage import open_warehouse
from pipeline.storage.embeddings import (
    count_distinct_texts,
    count_missing_embeddings,
    missing_texts,
    write_vectors,
)
from pipeline.storage.publish import publish_snapshot, run_lock
from pipeline.storage.theme_runs import passage_census
from pipeline.themes.codebook import load_codebook
from pipeline.themes.run import ThemeRunner
from pipeline.workers import default_workers


def _settings(db: str | None) -> Settings:
    settings = Settings()
    return settings.model_copy(update={"db": Path(db)}) if db else settings


# A flow started by a schedule or a deployment waits this long for a run already writing the
# warehouse (a person's `findings ingest`, say) before failing: long enough for a manual run to
# finish, short enough that a stuck holder is reported the same night. The CLI takes the lock
# itself before it starts a flow, so a person is answered at once.
LOCK_WAIT_S = 30 * 60.0


def _lock(db: str | None, flow_name: str, wait_s: float) -> AbstractContextManager[None]:
    return run_lock(_settings(db).db, command=f"Prefect flow {flow_name}", wait_s=wait_s)


@task(retries=2, retry_delay_seconds=5)
def ingest_task(
    db: str | None, folders: list[str], workers: int = 1, dask_address: str | None = None
) -> dict[str, object]:
    """Ingest folders of reviews (retried: a network share or inbox can blink).

    Files are read and segmented on `workers` local processes, or on the Dask cluster at
    `dask_address`, while this process writes them in order (the warehouse has one writer).
    """
    settings = _settings(db)
    paths = [Path(f) for f in folders if Path(f).exists()]
    shown = progress.listener()
    total = sum(1 for _ in discover_files(paths))
    shown.begin("ingest", total, "files")
    done = 0

    def advance(path: Path, outcome: str) -> None:
        nonlocal done
        done += 1
        shown.advance("ingest", done, total)

    with open_warehouse(settings.db) as con, preparing_on(workers, dask_address) as (pool, n):
        report = Ingester(con, settings, pool, n).ingest(paths, on_file=advance)
    get_run_logger().info(
        "ingested %d documents (%d passages), skipped %d, %d errors",
        report.added,
        report.passages,
        report.skipped,
        len(report.errors),
    )
    replaced = f", {report.replaced} replaced" if report.replaced else ""
    if report.updated:  # metadata corrected (a manifest row, a sidecar): said, not hidden
        replaced += f", {report.updated} with new metadata"
    shown.finish(
        "ingest",
        f"{report.added} documents added ({report.passages} passages){replaced}; "
        f"{already_in(report.skipped, len(report.withdrawn))}, {len(report.errors)} unreadable",
    )
    return report.as_dict()


def already_in(skipped: int, withdrawn: int) -> str:
    """What an ingest skipped, withdrawn files (counted among the skipped) said apart."""
    if not withdrawn:
        return f"{skipped} already in"
    return f"{skipped - withdrawn} already in, {withdrawn} withdrawn (left out)"


@task
def embed_task(db: str | None) -> dict[str, object]:
    """Embed passages that have no vector yet."""
    settings = _settings(db)
    shown = progress.listener()
    with open_warehouse(settings.db) as con:
        name = model_name(settings.embedding_model)
        pending = count_missing_embeddings(con, name)
        shown.begin("embed", pending, "texts")
        if not pending:
            get_run_logger().info("nothing new to embed: the model is not even loaded")
            cached = count_distinct_texts(con)
            report = EmbedReport(0, cached, name, 0.0)
        else:
            report = embed_passages(
                con,
                load_embedder(settings.embedding_model),
                settings.embed_batch_size,
                on_batch=lambda done, total: shown.advance("embed", done, total),
            )
            get_run_logger().info(
                "embedded %d passages at %.1f/s", report.embedded, report.passages_per_s
            )
        census = passage_census(con)
    repeats = census.passages - census.distinct_texts
    shown.finish(
        "embed",
        f"{report.embedded} texts embedded, {report.cached} had vectors; "
        f"{repeats} passages repeat another's words",
    )
    return report.as_dict()


@task(cache_policy=NO_CACHE)
def encode_task(texts: list[str], model: str, threads: int | None) -> tuple[np.ndarray, int]:
    """Vectors for one chunk of texts, and the process that made them.

    Runs wherever the task runner sends it (a Dask worker); it never touches the warehouse,
    because DuckDB allows one writer: the flow writes each chunk as it comes back.
    """
    if threads:
        import torch

        # Workers share the machine's cores; without this each one would claim all of them.
        torch.set_num_threads(threads)
    return load_embedder(model).embed_batch(texts), os.getpid()


def dask_task_runner(workers: int, address: str | None = None) -> TaskRunner:
    """A Dask task runner: an existing cluster at `address`, else a local one of `workers`."""
    from prefect_dask import DaskTaskRunner

    # The scheduler's and nanny's INFO lines drown Prefect's own progress lines.
    logging.getLogger("distributed").setLevel(logging.WARNING)
    if address:
        return DaskTaskRunner(address=address)
    return DaskTaskRunner(
        cluster_kwargs={"n_workers": workers, "threads_per_worker": 1, "processes": True}
    )


@flow(name="embed-distributed")
def _distributed_embed_flow(db: str | None = None, threads: int | None = None) -> dict[str, object]:
    """Embed what is new in chunks spread over the flow's task runner's workers."""
    settings = _settings(db)
    logger = get_run_logger()
    started = time.perf_counter()
    with open_warehouse(settings.db) as con:
        name = model_name(settings.embedding_model)
        missing = sorted(missing_texts(con, name), key=lambda row: len(row.text))
        total = count_distinct_texts(con)
        size = settings.embed_batch_size
        chunks = {
            encode_task.submit(
                [row.text for row in chunk], settings.embedding_model, threads
            ): chunk
            for chunk in (missing[i : i + size] for i in range(0, len(missing), size))
        }
        pids: set[int] = set()
        done = 0
        for future in as_completed(list(chunks)):
            vectors, pid = future.result()
            write_vectors(con, name, chunks[future], vectors)
            pids.add(pid)
            done += len(chunks[future])
            crash_point("embed:after-first-batch")
            logger.info("embedded %d of %d passages", done, len(missing))
    report = EmbedReport(len(missing), total - len(missing), name, time.perf_counter() - started)
    logger.info(
        "embedded %d passages in %d chunks on %d worker processes at %.1f/s",
        report.embedded,
        len(chunks),
        len(pids),
        report.passages_per_s,
    )
    return report.as_dict() | {"worker_processes": len(pids)}


def _embed(db: str | None, workers: int, dask_address: str | None) -> dict[str, object]:
    if workers <= 1 and not dask_address:
        return embed_task(db)
    settings = _settings(db)
    with open_warehouse(settings.db) as con:
        pending = count_missing_embeddings(con, model_name(settings.embedding_model))
    if not pending:  # starting a cluster to do nothing costs seconds
        return embed_task(db)
    runner = dask_task_runner(workers, dask_address)
    # Local workers split the cores; a remote cluster's workers know their own machines.
    threads = None if dask_address else max(1, (os.cpu_count() or 1) // workers)
    return _distributed_embed_flow.with_options(task_runner=runner)(db=db, threads=threads)


def missing_codebook(settings: Settings) -> str | None:
    """What to warn when the codebook file is not there (else it reads as an empty codebook)."""
    if settings.codebook.is_file():
        return None
    # Silent, a run from another folder lost every guided heading: each theme read "Themes".
    return (
        f"no codebook at {settings.codebook}: themes run without guided themes or curations "
        "(run from the project folder, or set FINDINGS_CODEBOOK)"
    )


@task
def themes_task(db: str | None, refit: bool = False) -> dict[str, object]:
    """Update (or refit) the themes and list the changes."""
    settings = _settings(db)
    if missing := missing_codebook(settings):
        get_run_logger().warning(missing)
    shown = progress.listener()
    shown.begin("themes", None, "passages")
    with open_warehouse(settings.db) as con:
        embedder = LazyEmbedder(settings.embedding_model)
        runner = ThemeRunner(
            con,
            embedder,
            load_codebook(settings.codebook),
            settings.spacy_model,
            decisions=load_decisions(settings.team_db),
            # The theme stage has the machine to itself: labels are parsed on every core.
            workers=default_workers(),
        )
        report = runner.run(refit=refit)
        listed = theme_summary(con)
        census = passage_census(con)
    get_run_logger().info("theme run %s: %s", report.run_id, report.as_dict())
    shown.finish(
        "themes",
        f"{report.n_themes} themes ({report.new_themes} new) from {report.n_passages} "
        f"passages, {report.outlier_share:.1%} in none",
    )
    return report.as_dict() | {
        "new_labels": listed.loc[listed["status"] == "new", "label"].tolist(),
        "census": asdict(census),
    }


@task(retries=2, retry_delay_seconds=2)
def publish_task(db: str | None, run_id: str) -> str:
    """Publish the read-only snapshot readers use."""
    shown = progress.listener()
    shown.begin("publish", None, "")
    snapshot = str(publish_snapshot(_settings(db).db, run_id))
    shown.finish("publish", "the viewer now reads this run")
    return snapshot


@flow(name="ingest")
def ingest_flow(
    corpus: str = "corpus",
    db: str | None = None,
    workers: int = 1,
    dask_address: str | None = None,
    lock_wait_s: float = LOCK_WAIT_S,
) -> dict[str, object]:
    """Ingest a folder of reviews (read and segmented on `workers` or a Dask cluster)."""
    with _lock(db, "ingest", lock_wait_s):
        return ingest_task(db, [corpus], workers, dask_address)


@flow(name="embed")
def embed_flow(
    db: str | None = None,
    workers: int = 1,
    dask_address: str | None = None,
    lock_wait_s: float = LOCK_WAIT_S,
) -> dict[str, object]:
    """Embed what is new: in this process, or on `workers` local Dask workers, or a cluster."""
    with _lock(db, "embed", lock_wait_s):
        return _embed(db, workers, dask_address)


@flow(name="themes")
def themes_flow(
    db: str | None = None, refit: bool = False, lock_wait_s: float = LOCK_WAIT_S
) -> dict[str, object]:
    """Update the themes and publish."""
    with _lock(db, "themes", lock_wait_s):
        report = themes_task(db, refit)
        publish_task(db, str(report["run_id"]))
    return report


def refresh_note(
    ingested: Mapping[str, Any], embedded: Mapping[str, Any], themes: Mapping[str, Any]
) -> str:
    """What a refresh changed, as Markdown for its Prefect artifact."""
    merged = themes.get("merged_themes", 0)
    faded = themes["dormant_themes"] - merged
    lines = [
        f"# Findings refresh {themes['run_id']}",
        "",
        f"- documents added: {ingested['added']}, replaced by an edit: {ingested['replaced']}, "
        f"with new metadata: {ingested['updated']} (skipped {ingested['skipped']})",
        f"- passages embedded: {embedded['embedded']}",
        f"- themes: {themes['themes']} ({themes['new_themes']} new, {merged} merged or split "
        f"into others, {faded} now dormant), {themes['outlier_share']:.1%} unassigned",
    ]
    lines += [f"- new theme: {label}" for label in themes["new_labels"]]
    lines += [f"- error: `{e['path']}`: {e['reason']}" for e in ingested["errors"]]
    return "\n".join(lines)


@flow(name="refresh")
def refresh_flow(
    corpus: str = "corpus",
    inbox: str = "corpus/inbox",
    db: str | None = None,
    refit: bool = False,
    workers: int = 1,
    dask_address: str | None = None,
    lock_wait_s: float = LOCK_WAIT_S,
) -> dict[str, object]:
    """Ingest the corpus and the inbox, embed, update themes, publish; report what changed.

    `workers` > 1 reads and segments files on that many local processes and embeds on a local
    Dask cluster of that many; `dask_address` sends both to an existing Dask cluster instead.
    Every write stays in this process. A run already writing the warehouse is waited for up to
    `lock_wait_s` seconds.
    """
    with _lock(db, "refresh", lock_wait_s):
        ingested = ingest_task(db, [corpus, inbox], workers, dask_address)
        embedded = _embed(db, workers, dask_address)
        themes = themes_task(db, refit)
        snapshot = publish_task(db, str(themes["run_id"]))
    summary = {
        "run_id": themes["run_id"],
        "documents_added": ingested["added"],
        "documents_replaced": ingested["replaced"],
        "documents_updated": ingested["updated"],
        "passages_added": ingested["passages_added"],
        "passages_embedded": embedded["embedded"],
        "themes": themes["themes"],
        "new_themes": themes["new_themes"],
        "outlier_share": themes["outlier_share"],
        "passages_in_themes": themes["passages"],
        "census": themes["census"],
        "snapshot": snapshot,
        "errors": ingested["errors"],
        "warnings": ingested["warnings"],
    }
    note = refresh_note(ingested, embedded, themes)
    create_markdown_artifact(note, key="findings-refresh", description="What this refresh changed")
    return summary


# Reruns when reviews arrive: the inbox watcher (`findings serve`, or `findings watch` beside a
# Prefect worker) emits this event once per settled batch, and the refresh deployment's trigger
# starts a run on it. The nightly schedule stays, for anything the watcher did not see.
REVIEW_ARRIVED = "findings.review.arrived"
INBOX_RESOURCE = "findings.inbox"


def announce_arrivals(inbox: str, files: list[str], waited_s: float) -> None:
    """Tell Prefect that a batch of reviews landed in `inbox` (one event per batch)."""
    from prefect.events import emit_event

    emit_event(
        event=REVIEW_ARRIVED,
        resource={"prefect.resource.id": INBOX_RESOURCE, "findings.inbox.path": inbox},
        payload={"files": files, "waited_s": round(waited_s, 1)},
    )


def arrival_trigger() -> DeploymentEventTrigger:
    """The refresh deployment's trigger: one run for each `findings.review.arrived` event."""
    return DeploymentEventTrigger(
        name="reviews-arrived",
        description="A batch of new or changed reviews settled in the inbox.",
        expect={REVIEW_ARRIVED},
        match={"prefect.resource.id": INBOX_RESOURCE},
        posture=Posture.Reactive,
        threshold=1,
        within=timedelta(0),
    )
