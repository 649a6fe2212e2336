"""Reading and segmenting files on other processes while the batch writes in its own order.

Preparing a document (extracting its text, spaCy's sentences and places, the passages) is a
pure function of its bytes, its metadata sources and the settings, and it is most of ingest's
time; writing is DuckDB's, which has one writer. So the batch sends the files it will need to
prepare to an executor a few files ahead, and takes each result when it reaches that file: the
order of writes, the duplicate checks and every error stay exactly those of one process. The
executor is a local process pool or a Dask cluster's (`Client.get_executor()`); a job carries the
file's bytes, so a remote worker needs no access to the corpus.

A result is used only when it was prepared from the bytes, options and manifest row the batch
would use at that point; otherwise, and when a job failed in any way, the file is prepared in
the batch's own process, which then raises or records the failure as it always did.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from concurrent.futures import BrokenExecutor, Executor, Future
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.ingest.prepare import IngestOptions, prepare_extracted
from pipeline.ingest.readers import ZipLimits, extract_document
from pipeline.passages.segment import SegmentationOptions, load_nlp
from pipeline.records import PreparedDocument
from pipeline.workers import LocalPool

if TYPE_CHECKING:
    from pipeline.gazetteer import Gazetteer, PlaceFinder
    from pipeline.ingest.metadata import PartialMetadata

log = logging.getLogger(__name__)

# Files prepared ahead per worker: enough to keep each busy while the batch writes, few enough
# that the bytes held in flight stay small.
AHEAD_PER_WORKER = 3


@dataclass(frozen=True)
class PrepareJob:
    """Everything one file's preparation depends on, sent to a worker."""

    path: Path
    data: bytes
    source_sha: str
    options: IngestOptions
    manifest_row: PartialMetadata | None
    spacy_model: str
    segmentation: SegmentationOptions
    limits: ZipLimits


@cache
def _tools(spacy_model: str) -> tuple[PlaceFinder, Gazetteer]:
    """The language pipeline's place finder and the gazetteer, loaded once per worker process."""
    from pipeline.gazetteer import PlaceFinder, default_gazetteer

    gazetteer = default_gazetteer()
    return PlaceFinder(load_nlp(spacy_model), gazetteer), gazetteer


def prepare_job(job: PrepareJob) -> PreparedDocument:
    """Extract, segment and describe one file: what `Ingester.prepare` does, in a worker."""
    finder, gazetteer = _tools(job.spacy_model)
    extracted = extract_document(job.path, job.data, job.limits)
    return prepare_extracted(
        job.path,
        extracted,
        job.source_sha,
        job.options,
        nlp=load_nlp(job.spacy_model),
        finder=finder,
        gazetteer=gazetteer,
        segmentation=job.segmentation,
        manifest_row=job.manifest_row,
    )


@contextmanager
def preparing_on(workers: int, dask_address: str | None) -> Iterator[tuple[Executor | None, int]]:
    """The executor files are prepared on, and how many workers it has.

    An existing Dask cluster at `dask_address`; else `workers` local processes; else none (the
    batch prepares each file itself).
    """
    if dask_address:
        from distributed import Client

        with Client(dask_address) as client:
            count = len(client.scheduler_info().get("workers", {})) or 1
            yield client.get_executor(pure=False), count
    elif workers > 1:
        with LocalPool(workers) as pool:
            yield pool, workers
    else:
        yield None, 1


@dataclass
class _Ahead:
    job: PrepareJob
    future: Future[PreparedDocument]


class Prefetcher:
    """Jobs sent ahead, by path; `take` hands back a result only for the very same inputs."""

    def __init__(self, executor: Executor, workers: int) -> None:
        self.executor = executor
        self.window = max(1, workers) * AHEAD_PER_WORKER
        self._ahead: dict[Path, _Ahead] = {}
        self._planned: set[Path] = set()  # each file is looked at once, whatever the plan was
        self.used = 0  # results taken
        self.refused = 0  # results prepared again here (inputs changed, or the job failed)
        self.stopped = False

    def fill(self, upcoming: list[Path], plan: Callable[[Path], PrepareJob | None]) -> None:
        """Send jobs for the next files `plan` says need preparing, up to the window."""
        for path in upcoming:
            if self.stopped or len(self._ahead) >= self.window:
                return
            if path in self._planned:
                continue
            self._planned.add(path)
            job = plan(path)
            if job is None:
                continue
            try:
                future = self.executor.submit(prepare_job, job)
            except (BrokenExecutor, RuntimeError) as exc:  # a dead pool, a closed cluster
                log.warning("workers stopped preparing files (%s): going on here", exc)
                self.stopped = True
                return
            self._ahead[path] = _Ahead(job, future)

    def take(
        self,
        path: Path,
        source_sha: str,
        options: IngestOptions,
        manifest_row: PartialMetadata | None,
    ) -> PreparedDocument | None:
        """The result prepared ahead for these inputs; None to prepare it here instead."""
        ahead = self._ahead.pop(path, None)
        if ahead is None:
            return None
        job = ahead.job
        if (job.source_sha, job.options, job.manifest_row) != (source_sha, options, manifest_row):
            ahead.future.cancel()
            self.refused += 1
            return None
        try:
            prepared = ahead.future.result()
        except Exception as exc:  # noqa: BLE001 - the batch prepares it again and meets the error its usual way
            log.debug("%s: prepared again here after the worker's %r", path, exc)
            self.refused += 1
            return None
        self.used += 1
        return prepared

    def drop(self, path: Path) -> None:
        """Forget a job whose file turned out not to need preparing after all."""
        ahead = self._ahead.pop(path, None)
        if ahead is not None:
            ahead.future.cancel()

    def close(self) -> None:
        """Cancel what is still ahead (a batch that stopped early)."""
        for ahead in self._ahead.values():
            ahead.future.cancel()
        self._ahead.clear()
        self._planned.clear()
