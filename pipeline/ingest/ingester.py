"""Ingest stage: files in, documents and passages in the warehouse out.

Each file is handled on its own: a bad file is recorded in `ingest_errors` with its reason and
the batch goes on. Each document and its passages are written in one transaction, so a failure
or a kill leaves nothing half-written. Ids come from content, so a rerun is a no-op.

This module orchestrates: files come from `files`, documents are made by `prepare` (no
database), and every read and write goes through `pipeline.storage.documents`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import duckdb
from spacy.language import Language

from pipeline.errors import FindingsError, MetadataError
from pipeline.faults import crash_point
from pipeline.gazetteer import (
    Gazetteer,
    PlaceFinder,
    default_gazetteer,
    gazetteer_version,
    load_gazetteer,
)
from pipeline.ids import sha256_hex
from pipeline.ingest.files import discover_files, read_document_bytes
from pipeline.ingest.metadata import MANIFEST_NAME, PartialMetadata, read_manifest
from pipeline.ingest.prepare import (
    IngestOptions,
    passage_id,
    prepare_extracted,
)
from pipeline.ingest.readers import extract_document
from pipeline.passages.segment import SegmentationOptions, load_nlp
from pipeline.records import ExtractedDocument, PreparedDocument
from pipeline.settings import Settings
from pipeline.storage.documents import (
    document_by_id,
    document_by_source,
    loaded_gazetteer_version,
    record_ingest_error,
    replace_places,
    write_document,
)
from pipeline.storage.search_index import build_search_index, search_index_exists

log = logging.getLogger(__name__)


@dataclass
class IngestReport:
    """What a batch did: counts, failures (with reasons) and warnings."""

    added: int = 0
    skipped: int = 0
    passages: int = 0
    errors: list[dict[str, str]] = field(default_factory=list)
    warnings: list[dict[str, str]] = field(default_factory=list)
    duplicates: list[dict[str, str]] = field(default_factory=list)
    seconds: float = 0.0

    def as_dict(self) -> dict[str, object]:
        """The JSON shape the CLI prints."""
        return {
            "added": self.added,
            "skipped": self.skipped,
            "errors": self.errors,
            "warnings": self.warnings,
            "duplicates": self.duplicates,
            "passages_added": self.passages,
            "seconds": round(self.seconds, 3),
        }


@dataclass(frozen=True)
class _FolderManifest:
    """A folder's manifest rows, or why it could not be read (then no rows)."""

    path: Path
    rows: dict[str, PartialMetadata]
    error: str | None = None


def sync_places(con: duckdb.DuckDBPyConnection) -> None:
    """Load the bundled gazetteer into `places` when it is missing or has changed."""
    version = gazetteer_version()
    if loaded_gazetteer_version(con) != version:
        replace_places(con, load_gazetteer(), version)


class Ingester:
    """Prepares and writes documents; holds the loaded language pipeline between files."""

    def __init__(self, con: duckdb.DuckDBPyConnection, settings: Settings) -> None:
        self.con = con
        self.settings = settings
        self.gazetteer: Gazetteer = default_gazetteer()
        self.options = SegmentationOptions(
            max_words=settings.passage_max_words,
            max_sentences=settings.passage_max_sentences,
            min_words=settings.passage_min_words,
        )
        self._manifests: dict[Path, _FolderManifest] = {}
        # A broken manifest is recorded once per batch runner, not once per file beside it.
        self._recorded_manifests: set[Path] = set()
        sync_places(con)

    @cached_property
    def nlp(self) -> Language:
        """The language pipeline, loaded on first use: a rerun with nothing new never pays."""
        return load_nlp(self.settings.spacy_model)

    @cached_property
    def finder(self) -> PlaceFinder:
        """The gazetteer matcher over the language pipeline's vocabulary."""
        return PlaceFinder(self.nlp, self.gazetteer)

    def ingest(
        self,
        paths: Iterable[Path],
        options: IngestOptions | None = None,
        on_file: Callable[[Path, str], None] | None = None,
    ) -> IngestReport:
        """Ingest files and folders; `on_file(path, outcome)` is called after each file."""
        options = options or IngestOptions()
        report = IngestReport()
        started = time.perf_counter()
        roots = [Path(p) for p in paths]
        for root in roots:
            if not root.exists() and not root.is_symlink():
                report.errors.append({"path": str(root), "reason": "no such file or folder"})
                record_ingest_error(self.con, str(root), "", "no such file or folder", "error")
        for path in discover_files(r for r in roots if r.exists() or r.is_symlink()):
            outcome = self._ingest_one(path, options, report)
            if on_file:
                on_file(path, outcome)
        if report.added or not search_index_exists(self.con):
            build_search_index(self.con)
        report.seconds = time.perf_counter() - started
        log.info(
            "ingested %d documents (%d passages), skipped %d, %d errors in %.1f s",
            report.added,
            report.passages,
            report.skipped,
            len(report.errors),
            report.seconds,
        )
        return report

    def _ingest_one(self, path: Path, options: IngestOptions, report: IngestReport) -> str:
        source_sha = ""
        try:
            data = read_document_bytes(path, self.settings.max_file_bytes)
            source_sha = sha256_hex(data)
            known = document_by_source(self.con, source_sha)
            if known:
                report.skipped += 1
                if known.path != str(path):
                    report.duplicates.append({"path": str(path), "duplicate_of": known.path})
                    return "duplicate"
                return "unchanged"
            prepared = self._prepare_new(path, data, source_sha, options)
            duplicate = document_by_id(self.con, prepared.doc_id)
            if duplicate:
                report.skipped += 1
                report.duplicates.append({"path": str(path), "duplicate_of": duplicate.path})
                log.info("%s: same text as %s, skipped as a duplicate", path, duplicate.path)
                return "duplicate"
            self.write(prepared)
        except FindingsError as exc:
            self._fail(path, source_sha, str(exc), report)
            return "error"
        except Exception as exc:
            # Any other failure is a bug in a reader or below: log its traceback, record it
            # against the file and carry on with the batch.
            log.exception("%s: unexpected failure", path)
            self._fail(path, source_sha, f"unexpected {exc.__class__.__name__}: {exc}", report)
            return "error"
        report.added += 1
        report.passages += len(prepared.passages)
        crash_point("ingest:after-first-document")
        for warning in prepared.warnings:
            report.warnings.append({"path": str(path), "reason": warning})
        return "added"

    def _prepare_new(
        self, path: Path, data: bytes, source_sha: str, options: IngestOptions
    ) -> PreparedDocument:
        """`prepare`, recording a broken manifest beside the file the first time it is met."""
        # The manifest is consulted only once a file's text is out, as it always was: a
        # folder of unreadable files does not report its manifest.
        extracted = extract_document(path, data)
        manifest = self._manifest(path.parent)
        self._record_broken_manifest(manifest)
        return self._describe(path, extracted, source_sha, options, manifest)

    def _describe(
        self,
        path: Path,
        extracted: ExtractedDocument,
        source_sha: str,
        options: IngestOptions,
        manifest: _FolderManifest,
    ) -> PreparedDocument:
        return prepare_extracted(
            path,
            extracted,
            source_sha,
            options,
            nlp=self.nlp,
            finder=self.finder,
            gazetteer=self.gazetteer,
            segmentation=self.options,
            manifest_row=manifest.rows.get(path.name),
        )

    def _fail(self, path: Path, source_sha: str, reason: str, report: IngestReport) -> None:
        log.warning("%s: %s", path, reason)
        report.errors.append({"path": str(path), "reason": reason})
        record_ingest_error(self.con, str(path), source_sha, reason, "error")

    def _manifest(self, folder: Path) -> _FolderManifest:
        """A folder's manifest, read once; a broken one counts as empty (no writes here)."""
        if folder not in self._manifests:
            path = folder / MANIFEST_NAME
            try:
                self._manifests[folder] = _FolderManifest(path, read_manifest(folder))
            except MetadataError as exc:
                log.warning("%s", exc)
                self._manifests[folder] = _FolderManifest(path, {}, str(exc))
        return self._manifests[folder]

    def _record_broken_manifest(self, manifest: _FolderManifest) -> None:
        if manifest.error and manifest.path not in self._recorded_manifests:
            self._recorded_manifests.add(manifest.path)
            record_ingest_error(self.con, str(manifest.path), "", manifest.error, "error")

    def prepare(
        self, path: Path, data: bytes, source_sha: str, options: IngestOptions
    ) -> PreparedDocument:
        """Extract, segment and describe one file (no database writes).

        A broken manifest beside the file counts as empty here; `ingest` records it.
        """
        extracted = extract_document(path, data)
        return self._describe(path, extracted, source_sha, options, self._manifest(path.parent))

    def write(self, document: PreparedDocument) -> None:
        """Write a document, its passages and its warnings in one transaction."""
        ids = [passage_id(document.doc_id, p) for p in document.passages]
        write_document(self.con, document, ids)
