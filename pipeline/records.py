"""Plain records passed between stages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import numpy as np

BlockKind = Literal["heading", "paragraph", "bullet", "turn", "table"]
DOC_TYPES: tuple[str, ...] = ("report", "transcript", "focus_group", "notes")


@dataclass(frozen=True)
class Block:
    """A structural unit of a document: a heading, paragraph, bullet, speaker turn or table.

    `prefix` is literal text shown before the content in the canonical text (a speaker label such
    as "YOT worker: " or a bullet "• "); passages never include it.
    """

    kind: BlockKind
    text: str
    speaker: str | None = None
    prefix: str = ""


@dataclass(frozen=True)
class ExtractedDocument:
    """What a reader got out of a file, before metadata and segmentation."""

    format: str
    blocks: list[Block]
    title: str | None = None
    front_matter: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class CanonicalText:
    """The document text every offset refers to, and each block's content span within it."""

    text: str
    blocks: list[Block]
    spans: list[tuple[int, int]]


@dataclass(frozen=True)
class DocumentMetadata:
    """Who, where, when and what a document is; `inferred` names the fields Findings guessed."""

    title: str | None = None
    area: str | None = None
    review_date: dt.date | None = None
    review_date_precision: str | None = None
    doc_type: str | None = None
    inferred: tuple[str, ...] = ()
    scope: str = "local"


@dataclass(frozen=True)
class Passage:
    """A quotable unit: `text == document_text[char_start:char_end]`."""

    ordinal: int
    text: str
    char_start: int
    char_end: int
    section: str | None
    speaker: str | None
    speaker_role: str | None
    places: tuple[str, ...] = ()
    in_table: bool = False  # a data table's rows: searchable, quotable, never fitted into themes

    @property
    def n_words(self) -> int:
        """Word count (whitespace-separated)."""
        return len(self.text.split())


@dataclass(frozen=True)
class Place:
    """A gazetteer entry."""

    name: str
    kind: str
    local_authority: str | None
    county: str | None
    police_force: str | None
    region: str | None
    nation: str | None
    aliases: tuple[str, ...]
    ambiguous: bool
    status: str


DORMANT = "dormant"  # the status of a theme that lost all its passages; it is never deleted


@dataclass(frozen=True, eq=False)
class KnownTheme:
    """A theme as the warehouse holds it before this run."""

    theme_id: int
    label: str | None
    keywords: tuple[str, ...]
    description: str | None
    status: str
    first_run_id: str
    centroid: np.ndarray | None
    curated: bool

    @property
    def is_dormant(self) -> bool:
        """True when the theme lost all its passages in an earlier run."""
        return self.status == DORMANT


@dataclass(frozen=True, eq=False)
class ThemeRecord:
    """One theme as this run leaves it: a row to upsert into `themes`."""

    theme_id: int
    label: str
    keywords: list[str]
    description: str
    status: str
    first_run_id: str
    last_run_id: str
    centroid: np.ndarray
    heading: str | None
    generated_label: str
    quote_passage_ids: list[str]
    n_passages: int
    model: str
    curated: bool


@dataclass(frozen=True)
class ThemeLineage:
    """A split or merge one run made: which themes the earlier passages left and joined.

    A split names one earlier theme and the themes its passages went to (itself among them when
    it lives on); a merge names the earlier themes and the one theme that holds them now.
    `passages_moved` counts the earlier passages that changed theme in it.
    """

    kind: str  # 'split' or 'merge'
    from_theme_ids: tuple[int, ...]
    to_theme_ids: tuple[int, ...]
    passages_moved: int


@dataclass(frozen=True)
class PassageCode:
    """A passage related by meaning to a guided codebook theme."""

    passage_id: str
    code_id: str
    similarity: float


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
