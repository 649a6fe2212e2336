"""Ingest stage: files in, documents and passages in the warehouse out.

Each file is handled on its own: a bad file is recorded in `ingest_errors` with its reason and
the batch goes on. Each document and its passages are written in one transaction, so a failure
or a kill leaves nothing half-written. Ids come from content, so a rerun is a no-op.

A document's identity is its source, the file's resolved path; its content is a version. A file
edited in place replaces its previous version (whose provenance stays in `document_versions`),
and a changed manifest row, sidecar or option re-resolves the metadata of a file whose bytes
have not changed. The same text under another name is a duplicate, reported and skipped.

This module orchestrates: files come from `files`, documents are made by `prepare` (no
database), and every read and write goes through `pipeline.storage.documents`.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Executor
from dataclasses import asdict, dataclass, field, replace
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
from pipeline.ids import sha256_hex, utc_now
from pipeline.ingest.files import discover_files, read_document_bytes
from pipeline.ingest.metadata import (
    FIELDS,
    MANIFEST_NAME,
    PartialMetadata,
    read_manifest,
    read_sidecar,
)
from pipeline.ingest.parallel import Prefetcher, PrepareJob
from pipeline.ingest.prepare import (
    IngestOptions,
    passage_id,
    prepare_extracted,
)
from pipeline.ingest.readers import ZipLimits, extract_document
from pipeline.passages.segment import SegmentationOptions, load_nlp
from pipeline.records import ExtractedDocument, PreparedDocument
from pipeline.settings import Settings
from pipeline.storage.documents import (
    DocumentSource,
    StoredDocument,
    claim_sources,
    clear_ingest_notes,
    describe,
    document_by_id,
    document_by_source,
    document_by_source_path,
    documents_without_source,
    loaded_gazetteer_version,
    record_ingest_error,
    replace_document,
    replace_places,
    retire_document,
    set_metadata_sha,
    set_source_path,
    update_description,
    withdrawn_source,
    write_document,
)
from pipeline.storage.search_index import build_search_index, search_index_exists

log = logging.getLogger(__name__)


@dataclass
class IngestReport:
    """What a batch did: counts, failures (with reasons) and warnings.

    `replaced`: files edited since they were ingested, whose new version replaced the old one
    (one that now holds another document's text is also listed in `duplicates`); `updated`:
    files whose bytes are unchanged but whose manifest row, sidecar or options changed their
    metadata; `skipped`: unchanged files, duplicates and files withdrawn (`withdrawn` lists
    those, each left out until `findings withdraw --undo`).
    """

    added: int = 0
    replaced: int = 0
    updated: int = 0
    skipped: int = 0
    passages: int = 0
    errors: list[dict[str, str]] = field(default_factory=list)
    warnings: list[dict[str, str]] = field(default_factory=list)
    duplicates: list[dict[str, str]] = field(default_factory=list)
    withdrawn: list[dict[str, str]] = field(default_factory=list)
    seconds: float = 0.0

    def as_dict(self) -> dict[str, object]:
        """The JSON shape the CLI prints."""
        return {
            "added": self.added,
            "replaced": self.replaced,
            "updated": self.updated,
            "skipped": self.skipped,
            "errors": self.errors,
            "warnings": self.warnings,
            "duplicates": self.duplicates,
            "withdrawn": self.withdrawn,
            "passages_added": self.passages,
            "seconds": round(self.seconds, 3),
        }


@dataclass(frozen=True)
class _FolderManifest:
    """A folder's manifest rows, or why it could not be read (then no rows)."""

    path: Path
    rows: dict[str, PartialMetadata]
    stamp: tuple[int, int, int] | None  # the file's inode, size and mtime when read; None: absent
    error: str | None = None
    warnings: tuple[str, ...] = ()  # rows to check (metadata.Manifest.warnings)


def _file_stamp(path: Path) -> tuple[int, int, int] | None:
    try:
        status = path.stat()
    except OSError:
        return None
    return (status.st_ino, status.st_size, status.st_mtime_ns)


@dataclass(frozen=True)
class MetadataInputs:
    """What a document's metadata is resolved from besides its text (front matter is text)."""

    manifest_row: PartialMetadata | None
    sidecar: PartialMetadata | None
    options: IngestOptions

    @property
    def sha(self) -> str:
        """A hash of the inputs: a rerun re-resolves metadata only when it changes."""

        def said(source: PartialMetadata | None) -> dict[str, str | None] | None:
            # The fields only: `source` names a manifest line, which moves when rows are added.
            return {name: getattr(source, name) for name in FIELDS} if source else None

        payload = {
            "manifest": said(self.manifest_row),
            "sidecar": said(self.sidecar),
            "options": asdict(self.options),
        }
        return sha256_hex(json.dumps(payload, sort_keys=True))

    @property
    def say_nothing(self) -> bool:
        """Whether no manifest row, sidecar or option describes the document."""
        nothing = IngestOptions()
        return self.manifest_row is None and self.sidecar is None and self.options == nothing


def source_path_of(path: Path) -> str:
    """A file's identity: its resolved absolute path.

    Resolved rather than as given, so that `corpus/`, `./corpus/`, an absolute path or a run from
    another working directory (a scheduled flow's) all name the same source. A path relative to
    the folder given would not do: the refresh flow ingests `corpus` and `corpus/inbox`, and two
    folders given at once may each hold a `review.pdf`.
    """
    return str(path.resolve())


def carried_options(stored: Mapping[str, str | None], given: IngestOptions) -> IngestOptions:
    """This batch's options over those a document was ingested with, field by field.

    A scheduled rerun passes no options: it must not undo `--area` given when a file was added.
    """
    return IngestOptions(
        **{
            name: value if value is not None else stored.get(name)
            for name, value in asdict(given).items()
        }
    )


def claim_unclaimed_documents(con: duckdb.DuckDBPyConnection) -> None:
    """Give documents ingested before versions existed their source paths.

    A row's stored path is resolved from here; one that names no file now (a run from another
    working directory) is left for a file with its exact bytes to claim. Older rows of the same
    source, left by in-place edits that were each ingested as a new document, are retired as its
    earlier versions, so that they stop counting twice.
    """
    claims: dict[str, list[str]] = {}
    for document in documents_without_source(con):
        candidate = Path(document.path)
        if candidate.is_file():
            source = source_path_of(candidate)
            if source not in claims:
                holder = document_by_source_path(con, source)
                claims[source] = [holder.doc_id] if holder else []
            claims[source].append(document.doc_id)
    if claims:
        claim_sources(con, claims, utc_now())
        log.info("recorded the source paths of %d earlier documents", len(claims))


def sync_places(con: duckdb.DuckDBPyConnection) -> None:
    """Load the bundled gazetteer into `places` when it is missing or has changed."""
    version = gazetteer_version()
    if loaded_gazetteer_version(con) != version:
        replace_places(con, load_gazetteer(), version)


def _shown_path(path: Path) -> str:
    """A path as text any store can hold: undecodable bytes in its name become U+FFFD."""
    return os.fsencode(path).decode("utf-8", errors="replace")


class Ingester:
    """Prepares and writes documents; holds the loaded language pipeline between files."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        settings: Settings,
        executor: Executor | None = None,
        workers: int = 1,
    ) -> None:
        """`executor` (with its number of `workers`) prepares files ahead of the writes."""
        self.con = con
        self.settings = settings
        self.prefetch = Prefetcher(executor, workers) if executor is not None else None
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
        claim_unclaimed_documents(con)

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
        found_paths = list(discover_files(Path(p) for p in paths))
        readable = [found.path for found in found_paths if found.problem is None]
        passed = 0  # readable files already met
        try:
            for found in found_paths:
                if self.prefetch is not None:
                    ahead = readable[passed : passed + self.prefetch.window]
                    self.prefetch.fill(ahead, lambda path: self._plan(path, options))
                    passed += found.problem is None
                if found.problem is not None:
                    # A missing name, an unreadable folder, a link loop: recorded like a bad file.
                    self._fail(found.path, "", found.problem, report)
                    outcome = "error"
                else:
                    outcome = self._ingest_one(found.path, options, report)
                    if self.prefetch is not None:
                        self.prefetch.drop(found.path)
                if on_file:
                    on_file(found.path, outcome)
        finally:
            if self.prefetch is not None:
                self.prefetch.close()
        self._note_manifests({found.path.parent for found in found_paths}, report)
        if report.added or report.replaced or not search_index_exists(self.con):
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
        if _shown_path(path) != str(path):
            # Bytes that are no UTF-8 in the name (a file copied from an old system): nothing
            # can store or show the name, so the file is refused by a readable form of it.
            self._fail(path, "", "the file name is not valid UTF-8: rename the file", report)
            return "error"
        try:
            data = read_document_bytes(path, self.settings.max_file_bytes)
            source_sha = sha256_hex(data)
            source = source_path_of(path)
            if (withdrawn := withdrawn_source(self.con, source)) is not None:
                report.skipped += 1
                report.withdrawn.append(
                    {"path": str(path), "withdrawn_at": withdrawn.withdrawn_at.isoformat()}
                )
                return "withdrawn"
            stored = document_by_source_path(self.con, source) or self._claim_by_bytes(
                path, source_sha, source
            )
            if stored is None:
                return self._ingest_new(path, data, source_sha, source, options, report)
            return self._ingest_known(path, data, source_sha, source, stored, options, report)
        except FindingsError as exc:
            self._fail(path, source_sha, str(exc), report)
            return "error"
        except Exception as exc:
            # Any other failure is a bug in a reader or below: log its traceback, record it
            # against the file and carry on with the batch.
            log.exception("%s: unexpected failure", path)
            self._fail(path, source_sha, f"unexpected {exc.__class__.__name__}: {exc}", report)
            return "error"

    def _plan(self, path: Path, options: IngestOptions) -> PrepareJob | None:
        """What preparing `path` ahead takes, when the batch will have to prepare it.

        A cheap look at what `_ingest_one` will decide: unchanged bytes, a known copy or a
        moved file need no preparing (or are prepared here, rarely); anything unreadable is
        left to the batch, which records why.
        """
        if _shown_path(path) != str(path):
            return None
        try:
            data = read_document_bytes(path, self.settings.max_file_bytes)
        except (FindingsError, OSError):
            return None
        source_sha = sha256_hex(data)
        if withdrawn_source(self.con, source_path_of(path)) is not None:
            return None
        stored = document_by_source_path(self.con, source_path_of(path))
        if stored is None:
            if document_by_source(self.con, source_sha) is not None:
                return None
        elif stored.source_sha256 == source_sha:
            return None
        else:
            options = carried_options(stored.given_options, options)
        return PrepareJob(
            path=path,
            data=data,
            source_sha=source_sha,
            options=options,
            manifest_row=self._manifest(path.parent).rows.get(path.name),
            spacy_model=self.settings.spacy_model,
            segmentation=self.options,
            limits=ZipLimits.from_settings(self.settings),
        )

    def _claim_by_bytes(self, path: Path, source_sha: str, source: str) -> StoredDocument | None:
        """The document with these very bytes, when its own source is unknown or gone.

        A file moved (from the inbox into the corpus, say) keeps its document, so that its next
        edit is a version rather than a second document; a row ingested before versions existed
        is claimed the same way. A copy whose original is still there stays a duplicate.
        """
        known = document_by_source(self.con, source_sha)
        if known is None or (known.source_path and Path(known.source_path).exists()):
            return None
        if known.source_path:
            log.info("%s: moved from %s", path, known.source_path)
        set_source_path(self.con, known.doc_id, source, str(path))
        return replace(known, source_path=source, path=str(path))

    def _ingest_new(
        self,
        path: Path,
        data: bytes,
        source_sha: str,
        source: str,
        options: IngestOptions,
        report: IngestReport,
    ) -> str:
        """A source seen for the first time: added, unless its text is already here."""
        known = document_by_source(self.con, source_sha)
        if known:
            return self._duplicate(path, known, report)
        prepared = self._prepare_new(path, data, source_sha, options)
        duplicate = document_by_id(self.con, prepared.doc_id)
        if duplicate:
            log.info("%s: same text as %s, skipped as a duplicate", path, duplicate.path)
            return self._duplicate(path, duplicate, report)
        self.write(prepared, self._source(path, source, options))
        report.added += 1
        report.passages += len(prepared.passages)
        crash_point("ingest:after-first-document")
        self._warn(path, prepared, report)
        return "added"

    def _ingest_known(
        self,
        path: Path,
        data: bytes,
        source_sha: str,
        source: str,
        stored: StoredDocument,
        options: IngestOptions,
        report: IngestReport,
    ) -> str:
        """A source already here: unchanged, its metadata updated, or a new version."""
        options = carried_options(stored.given_options, options)
        if stored.source_sha256 == source_sha and self._metadata_stands(
            path, source, stored, options
        ):
            report.skipped += 1
            return "unchanged"
        prepared = self._prepare_new(path, data, source_sha, options)
        described = self._source(path, source, options)
        if prepared.doc_id == stored.doc_id:
            # Same text (the metadata changed, or the bytes without the text): passages stand.
            update_description(self.con, prepared, described)
            if describe(prepared) == stored.description:
                report.skipped += 1
                return "unchanged"
            report.updated += 1
            self._warn(path, prepared, report)
            log.info("%s: metadata updated", path)
            return "updated"
        other = document_by_id(self.con, prepared.doc_id)
        if other:
            retire_document(self.con, stored, source, other.doc_id)
            report.replaced += 1
            log.info("%s: now the same text as %s; its earlier version retired", path, other.path)
            report.duplicates.append({"path": str(path), "duplicate_of": other.path})
            return "duplicate"
        ids = [passage_id(prepared.doc_id, p) for p in prepared.passages]
        replace_document(self.con, stored, prepared, ids, described)
        report.replaced += 1
        report.passages += len(prepared.passages)
        self._warn(path, prepared, report)
        log.info("%s: changed since it was ingested; its new version replaced the old", path)
        return "replaced"

    def _metadata_stands(
        self, path: Path, source: str, stored: StoredDocument, options: IngestOptions
    ) -> bool:
        """Whether an unchanged file's stored metadata stands without resolving it again.

        It stands when its inputs hash as they did; a row from before metadata hashes that
        nothing but its text describes gets the hash recorded here.
        """
        manifest = self._manifest(path.parent)
        if manifest.error:
            # An unreadable manifest cannot say whether the metadata changed: the stored
            # metadata stands until it can be read.
            self._record_broken_manifest(manifest)
            return True
        inputs = self._metadata_inputs(path, options)
        if inputs.sha == stored.metadata_sha:
            return True
        if stored.metadata_sha is None and inputs.say_nothing:
            # Resolving again would give the same, at the cost of segmenting the text again.
            set_metadata_sha(self.con, stored.doc_id, self._source(path, source, options))
            return True
        return False

    def _duplicate(self, path: Path, original: StoredDocument, report: IngestReport) -> str:
        report.skipped += 1
        report.duplicates.append({"path": str(path), "duplicate_of": original.path})
        return "duplicate"

    def _warn(self, path: Path, prepared: PreparedDocument, report: IngestReport) -> None:
        for warning in prepared.warnings:
            report.warnings.append({"path": str(path), "reason": warning})

    def _metadata_inputs(self, path: Path, options: IngestOptions) -> MetadataInputs:
        """What the file's metadata is resolved from besides its text (a broken manifest: none)."""
        manifest = self._manifest(path.parent)
        return MetadataInputs(manifest.rows.get(path.name), read_sidecar(path), options)

    def _source(self, path: Path, source: str, options: IngestOptions) -> DocumentSource:
        return DocumentSource(
            source_path=source,
            metadata_sha=self._metadata_inputs(path, options).sha,
            given_options=asdict(options),
        )

    def _prepare_new(
        self, path: Path, data: bytes, source_sha: str, options: IngestOptions
    ) -> PreparedDocument:
        """`prepare`, recording a broken manifest beside the file the first time it is met."""
        if self.prefetch is not None:
            manifest = self._manifest(path.parent)
            prepared = self.prefetch.take(path, source_sha, options, manifest.rows.get(path.name))
            if prepared is not None:
                self._record_broken_manifest(manifest)
                return prepared
        # The manifest is consulted only once a file's text is out, as it always was: a
        # folder of unreadable files does not report its manifest.
        extracted = extract_document(path, data, ZipLimits.from_settings(self.settings))
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
        shown = _shown_path(path)
        log.warning("%s: %s", shown, reason)
        report.errors.append({"path": shown, "reason": reason})
        record_ingest_error(self.con, shown, source_sha, reason, "error")

    def _manifest(self, folder: Path) -> _FolderManifest:
        """A folder's manifest, read once; a broken one counts as empty (no writes here)."""
        path = folder / MANIFEST_NAME
        stamp = _file_stamp(path)
        cached = self._manifests.get(folder)
        # Read again when the file changed: an ingester that outlives a batch (a test, a
        # long-running process) must see a corrected manifest, or it would never be applied.
        if cached is None or cached.stamp != stamp:
            try:
                read = read_manifest(folder)
                self._manifests[folder] = _FolderManifest(
                    path, read.rows, stamp, warnings=read.warnings
                )
            except MetadataError as exc:
                log.warning("%s", exc)
                self._manifests[folder] = _FolderManifest(path, {}, stamp, str(exc))
        return self._manifests[folder]

    def _note_manifests(self, folders: Iterable[Path], report: IngestReport) -> None:
        """Each readable manifest's warnings, recorded anew and reported with the batch's.

        Said on every batch that reads the folder, until the manifest is put right.
        """
        for folder in sorted(folders):
            manifest = self._manifest(folder)
            if manifest.stamp is None or manifest.error:
                continue  # none there, or broken (recorded as an error where it is met)
            clear_ingest_notes(self.con, str(manifest.path))
            for warning in manifest.warnings:
                log.warning("%s: %s", manifest.path, warning)
                report.warnings.append({"path": str(manifest.path), "reason": warning})
                record_ingest_error(self.con, str(manifest.path), "", warning, "warning")

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
        extracted = extract_document(path, data, ZipLimits.from_settings(self.settings))
        return self._describe(path, extracted, source_sha, options, self._manifest(path.parent))

    def write(self, document: PreparedDocument, source: DocumentSource | None = None) -> None:
        """Write a new document, its passages and its warnings in one transaction.

        Without `source`, the document is the file at its path, prepared without options.
        """
        path = Path(document.path)
        source = source or self._source(path, source_path_of(path), IngestOptions())
        ids = [passage_id(document.doc_id, p) for p in document.passages]
        write_document(self.con, document, ids, source)
