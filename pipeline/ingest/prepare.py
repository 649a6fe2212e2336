"""One file's bytes to a document ready to write: text, passages and metadata, no database.

Everything here is a function of its arguments, the language pipeline and, for metadata, the
sidecar YAML beside the file; the orchestrator (`pipeline.ingest.ingester`) does the reading of
folders and manifests and all the writing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.errors import DocumentError
from pipeline.ids import sha256_hex
from pipeline.ingest.canonical import render_canonical
from pipeline.ingest.metadata import (
    PartialMetadata,
    merge_sources,
    parse_doc_type,
    read_sidecar,
    resolve_area,
    resolve_metadata,
    source_conflicts,
)
from pipeline.passages.segment import SegmentationOptions, split_into_passages
from pipeline.passages.transcripts import looks_like_transcript, mark_speaker_turns
from pipeline.records import DocumentMetadata, ExtractedDocument, Passage, PreparedDocument

if TYPE_CHECKING:
    from spacy.language import Language

    from pipeline.gazetteer import Gazetteer, PlaceFinder


@dataclass(frozen=True)
class IngestOptions:
    """Batch-wide metadata from the command line (the last source consulted)."""

    area: str | None = None
    review_date: str | None = None
    doc_type: str | None = None
    scope: str | None = None

    def as_partial(self) -> PartialMetadata:
        """These options as a metadata source."""
        return PartialMetadata(
            area=self.area,
            review_date=self.review_date,
            doc_type=self.doc_type,
            scope=self.scope,
            source="command-line options",
        )


def passage_id(doc_id: str, passage: Passage) -> str:
    """A passage's id: from its document's content and its span, so stable across reruns."""
    return sha256_hex(f"{doc_id}:{passage.char_start}:{passage.char_end}")


def metadata_sources(
    path: Path,
    front_matter: dict[str, object],
    options: IngestOptions,
    manifest_row: PartialMetadata | None,
) -> list[PartialMetadata | None]:
    """Each source of a file's metadata, in order of precedence."""
    front = PartialMetadata.from_mapping(front_matter, "front matter") if front_matter else None
    return [manifest_row, read_sidecar(path), front, options.as_partial()]


def prepare_extracted(
    path: Path,
    extracted: ExtractedDocument,
    source_sha: str,
    options: IngestOptions,
    *,
    nlp: Language,
    finder: PlaceFinder,
    gazetteer: Gazetteer,
    segmentation: SegmentationOptions,
    manifest_row: PartialMetadata | None,
) -> PreparedDocument:
    """Segment and describe an extracted document.

    Raises:
        DocumentError: no passages could be formed.
        MetadataError: a given field is invalid (a date or type that does not parse).
    """
    sources = metadata_sources(path, extracted.front_matter, options, manifest_row)
    given = merge_sources(sources)
    blocks = extracted.blocks
    declared = parse_doc_type(*given["doc_type"]) if "doc_type" in given else None
    if declared in ("transcript", "focus_group") or (
        declared is None and looks_like_transcript(blocks)
    ):
        blocks = mark_speaker_turns(blocks)
    canonical = render_canonical(blocks)
    segmented = split_into_passages(canonical, nlp, finder, segmentation)
    metadata = resolve_metadata(
        given,
        path=path,
        text=canonical.text,
        blocks=blocks,
        extracted_title=extracted.title,
        mentions=segmented.mentions,
        gazetteer=gazetteer,
    )
    placed = resolve_area(metadata.area, gazetteer)
    warnings = [placed.warning] if placed.warning else []
    warnings += source_conflicts(sources)
    if metadata.review_date is None:
        warnings.append("no review date given and none found in the text")
    if not segmented.passages:
        raise DocumentError("no passages could be formed from the text")
    return PreparedDocument(
        doc_id=sha256_hex(canonical.text),
        path=str(path),
        source_sha256=source_sha,
        format=extracted.format,
        text=canonical.text,
        metadata=DocumentMetadata(
            title=metadata.title,
            area=placed.area,
            review_date=metadata.review_date,
            review_date_precision=metadata.review_date_precision,
            doc_type=metadata.doc_type,
            inferred=metadata.inferred,
            scope=metadata.scope,
        ),
        region=placed.region,
        nation=placed.nation,
        police_force=placed.police_force,
        passages=segmented.passages,
        warnings=warnings,
    )
