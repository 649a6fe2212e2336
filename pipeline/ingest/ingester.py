"""Ingest stage: files in, documents and passages in the warehouse out.

Each file is handled on its own: a bad file is recorded in `ingest_errors` with its reason and
the batch goes on. Each document and its passages are written in one transaction, so a failure
or a kill leaves nothing half-written. Ids come from content, so a rerun is a no-op.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import duckdb
from spacy.language import Language

from pipeline.errors import DocumentError, FindingsError, MetadataError
from pipeline.faults import crash_point
from pipeline.gazetteer import (
    Gazetteer,
    PlaceFinder,
    default_gazetteer,
    gazetteer_version,
    load_gazetteer,
)
from pipeline.ingest.canonical import render_canonical
from pipeline.ingest.metadata import (
    MANIFEST_NAME,
    NATIONAL_AREA,
    PartialMetadata,
    merge_sources,
    parse_doc_type,
    read_manifest,
    read_sidecar,
    resolve_metadata,
)
from pipeline.ingest.readers import (
    SUPPORTED_SUFFIXES,
    check_supported,
    extract_document,
    read_bytes,
)
from pipeline.passages.segment import SegmentationOptions, load_nlp, split_into_passages
from pipeline.passages.transcripts import looks_like_transcript, mark_speaker_turns
from pipeline.records import DocumentMetadata, Passage
from pipeline.settings import Settings
from pipeline.storage import named_queries
from pipeline.storage.search_index import build_search_index, search_index_exists

log = logging.getLogger(__name__)

_SKIP_NAMES = {MANIFEST_NAME}


@dataclass(frozen=True)
class IngestOptions:
    """Batch-wide metadata from the command line (the last source consulted)."""

    area: str | None = None
    review_date: str | None = None
    doc_type: str | None = None

    def as_partial(self) -> PartialMetadata:
        """These options as a metadata source."""
        return PartialMetadata(
            area=self.area,
            review_date=self.review_date,
            doc_type=self.doc_type,
            source="command-line options",
        )


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
class PreparedDocument:
    """A document ready to write."""

    doc_id: str
    path: str
    source_sha256: str
    format: str
    text: str
    metadata: DocumentMetadata
    region: str | None
    nation: str | None
    police_force: str | None
    passages: list[Passage]
    warnings: list[str]


def sha256_hex(data: bytes | str) -> str:
    """Hex sha256 of bytes or UTF-8 text."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return hashlib.sha256(raw).hexdigest()


def passage_id(doc_id: str, passage: Passage) -> str:
    """A passage's id: from its document's content and its span, so stable across reruns."""
    return sha256_hex(f"{doc_id}:{passage.char_start}:{passage.char_end}")


def discover_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Files named directly, and every file under named folders (sorted, hidden ones skipped)."""
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                relative = child.relative_to(path)
                if any(part.startswith(".") for part in relative.parts):
                    continue
                if child.is_dir() or child.name in _SKIP_NAMES or child.name.endswith(".meta.yaml"):
                    continue
                yield child
        else:
            yield path


def sync_places(con: duckdb.DuckDBPyConnection) -> None:
    """Load the bundled gazetteer into `places` when it is missing or has changed."""
    sql = named_queries("ingest")
    version = gazetteer_version()
    current = con.execute(sql["get_meta"], ["gazetteer_version"]).fetchone()
    if current and current[0] == version:
        return
    rows = [
        [
            p.name,
            p.kind,
            p.local_authority,
            p.county,
            p.police_force,
            p.region,
            p.nation,
            list(p.aliases),
            p.ambiguous,
            p.status,
        ]
        for p in load_gazetteer()
    ]
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(sql["delete_places"])
        con.executemany(sql["insert_place"], rows)
        con.execute(sql["set_meta"], ["gazetteer_version", version])
        con.execute("COMMIT")
    except duckdb.Error:
        con.execute("ROLLBACK")
        raise


class Ingester:
    """Prepares and writes documents; holds the loaded language pipeline between files."""

    def __init__(self, con: duckdb.DuckDBPyConnection, settings: Settings) -> None:
        self.con = con
        self.settings = settings
        self.sql = named_queries("ingest")
        self.gazetteer: Gazetteer = default_gazetteer()
        self.options = SegmentationOptions(
            max_words=settings.passage_max_words,
            max_sentences=settings.passage_max_sentences,
            min_words=settings.passage_min_words,
        )
        self._manifests: dict[Path, dict[str, PartialMetadata]] = {}
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
                self._record(str(root), "", "no such file or folder", "error")
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
            check_supported(path)
            data = read_bytes(path, self.settings.max_file_bytes)
            source_sha = sha256_hex(data)
            known = self.con.execute(self.sql["document_by_source"], [source_sha]).fetchone()
            if known:
                report.skipped += 1
                if known[1] != str(path):
                    report.duplicates.append({"path": str(path), "duplicate_of": known[1]})
                    return "duplicate"
                return "unchanged"
            prepared = self.prepare(path, data, source_sha, options)
            duplicate = self.con.execute(self.sql["document_by_id"], [prepared.doc_id]).fetchone()
            if duplicate:
                report.skipped += 1
                report.duplicates.append({"path": str(path), "duplicate_of": duplicate[1]})
                log.info("%s: same text as %s, skipped as a duplicate", path, duplicate[1])
                return "duplicate"
            self.write(prepared)
        except FindingsError as exc:
            self._fail(path, source_sha, str(exc), report)
            return "error"
        except Exception as exc:
            log.exception("%s: unexpected failure", path)
            self._fail(path, source_sha, f"unexpected {exc.__class__.__name__}: {exc}", report)
            return "error"
        report.added += 1
        report.passages += len(prepared.passages)
        crash_point("ingest:after-first-document")
        for warning in prepared.warnings:
            report.warnings.append({"path": str(path), "reason": warning})
        return "added"

    def _fail(self, path: Path, source_sha: str, reason: str, report: IngestReport) -> None:
        log.warning("%s: %s", path, reason)
        report.errors.append({"path": str(path), "reason": reason})
        self._record(str(path), source_sha, reason, "error")

    def _record(self, path: str, source_sha: str, reason: str, severity: str) -> None:
        self.con.execute(
            self.sql["record_ingest_error"], [path, source_sha, reason, severity, _now()]
        )

    def _given_metadata(
        self, path: Path, front_matter: dict[str, object], options: IngestOptions
    ) -> dict[str, tuple[str, str]]:
        folder = path.parent
        if folder not in self._manifests:
            try:
                self._manifests[folder] = read_manifest(folder)
            except MetadataError as exc:
                self._manifests[folder] = {}
                self._record(str(folder / MANIFEST_NAME), "", str(exc), "error")
                log.warning("%s", exc)
        manifest = self._manifests[folder].get(path.name)
        front = PartialMetadata.from_mapping(front_matter, "front matter") if front_matter else None
        return merge_sources([manifest, read_sidecar(path), front, options.as_partial()])

    def prepare(
        self, path: Path, data: bytes, source_sha: str, options: IngestOptions
    ) -> PreparedDocument:
        """Extract, segment and describe one file (no database writes)."""
        extracted = extract_document(path, data)
        given = self._given_metadata(path, extracted.front_matter, options)
        blocks = extracted.blocks
        declared = parse_doc_type(*given["doc_type"]) if "doc_type" in given else None
        if declared in ("transcript", "focus_group") or (
            declared is None and looks_like_transcript(blocks)
        ):
            blocks = mark_speaker_turns(blocks)
        canonical = render_canonical(blocks)
        segmented = split_into_passages(canonical, self.nlp, self.finder, self.options)
        metadata = resolve_metadata(
            given,
            path=path,
            text=canonical.text,
            blocks=blocks,
            extracted_title=extracted.title,
            mentions=segmented.mentions,
            gazetteer=self.gazetteer,
        )
        warnings: list[str] = []
        region = nation = police_force = None
        area = metadata.area
        # A national document is about the whole country: no one region, nation or force.
        if area and area != NATIONAL_AREA:
            place = self.gazetteer.resolve(area)
            if place is None:
                warnings.append(
                    f"area {area!r} is not in the gazetteer: region and police force unknown"
                )
            else:
                authority = self.gazetteer.local_authority_of(place) or place
                area = authority.name
                region, nation, police_force = place.region, place.nation, place.police_force
        elif not area:
            warnings.append("no area given and none could be inferred from the text")
        if metadata.review_date is None:
            warnings.append("no review date given and none found in the text")
        if not segmented.passages:
            raise DocumentError("no passages could be formed from the text")
        metadata = DocumentMetadata(
            title=metadata.title,
            area=area,
            review_date=metadata.review_date,
            review_date_precision=metadata.review_date_precision,
            doc_type=metadata.doc_type,
            inferred=metadata.inferred,
        )
        return PreparedDocument(
            doc_id=sha256_hex(canonical.text),
            path=str(path),
            source_sha256=source_sha,
            format=extracted.format,
            text=canonical.text,
            metadata=metadata,
            region=region,
            nation=nation,
            police_force=police_force,
            passages=segmented.passages,
            warnings=warnings,
        )

    def write(self, document: PreparedDocument) -> None:
        """Write a document, its passages and its warnings in one transaction."""
        meta = document.metadata
        rows = [
            [
                passage_id(document.doc_id, p),
                document.doc_id,
                p.ordinal,
                p.text,
                sha256_hex(p.text),
                p.char_start,
                p.char_end,
                p.section,
                p.speaker,
                p.speaker_role,
                list(p.places),
                p.n_words,
            ]
            for p in document.passages
        ]
        self.con.execute("BEGIN TRANSACTION")
        try:
            self.con.execute(
                self.sql["insert_document"],
                [
                    document.doc_id,
                    document.path,
                    document.source_sha256,
                    document.format,
                    meta.title,
                    meta.doc_type,
                    meta.area,
                    document.region,
                    document.nation,
                    document.police_force,
                    meta.review_date,
                    meta.review_date_precision,
                    list(meta.inferred),
                    document.text,
                    len(document.text),
                    _now(),
                ],
            )
            crash_point("ingest:mid-document")
            self.con.executemany(self.sql["insert_passage"], rows)
            self.con.execute(self.sql["clear_ingest_errors_for_path"], [document.path])
            for warning in document.warnings:
                self.con.execute(
                    self.sql["record_ingest_error"],
                    [document.path, document.source_sha256, warning, "warning", _now()],
                )
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def supported_suffixes() -> tuple[str, ...]:
    """File extensions Findings reads."""
    return SUPPORTED_SUFFIXES
