"""Document metadata: area, review date, type and title, from what we are told or can infer.

Sources in order of precedence: the folder's `manifest.csv`, a sidecar `NAME.meta.yaml`, YAML
front matter in Markdown, then command-line options. Whatever is still missing is inferred (the
most-mentioned local authority, a date near the top of the text, the shape of the text) and the
inferred fields are recorded so that nobody mistakes a guess for a fact.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from pipeline.errors import MetadataError
from pipeline.gazetteer import Gazetteer, PlaceMention
from pipeline.records import DOC_TYPES, Block, DocumentMetadata

MANIFEST_NAME = "manifest.csv"
MANIFEST_COLUMNS = ("path", "title", "area", "review_date", "doc_type", "scope")
FIELDS = ("title", "area", "review_date", "doc_type", "scope")
_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_MONTH_RE = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DATE_PATTERNS = (
    re.compile(r"\b(?P<y>(?:19|20)\d{2})-(?P<m>\d{1,2})-(?P<d>\d{1,2})\b"),
    re.compile(
        rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<mon>{_MONTH_RE})\.?,?\s+(?P<y>(?:19|20)\d{{2}})\b",
        re.IGNORECASE,
    ),
    re.compile(r"\b(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>(?:19|20)\d{2})\b"),
    re.compile(rf"\b(?P<mon>{_MONTH_RE})\.?\s+(?P<y>(?:19|20)\d{{2}})\b", re.IGNORECASE),
)
_HEADER_CHARS = 1500
# The area of a document about the whole country rather than one locality.
NATIONAL_AREA = "National"
# Areas that name the whole country or one of its nations: a document placed there is a national
# or thematic report, not a locality review (compared lower-case).
NATIONAL_AREAS = frozenset(
    {
        "national",
        "england and wales",
        "england",
        "wales",
        "scotland",
        "northern ireland",
        "united kingdom",
        "uk",
        "great britain",
    }
)
# What a document's scope may be called in a manifest, sidecar or front matter.
_SCOPES = {
    "local": "local",
    "locality": "local",
    "national": "national",
    "thematic": "national",
    "strategic": "national",
}
# A document is national when its places spread this widely: no region holds this share of its
# local-authority mentions, and they span at least this many regions (or nations).
_LOCAL_REGION_SHARE = 0.4
_NATIONAL_MIN_REGIONS = 4
# Section headings that open a document without naming it ("1. Introduction", "Contents").
_SECTION_HEADING = re.compile(
    r"^\s*(?:(?:\d+(?:\.\d+)*|[ivx]+)[.)]?\s+)?"
    r"(?:introduction|contents|table of contents|executive summary|summary|foreword|preface|"
    r"background|overview|acknowledg(?:e)?ments)\s*:?\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class PartialMetadata:
    """Metadata from one source; None means 'this source does not say'."""

    title: str | None = None
    area: str | None = None
    review_date: str | None = None
    doc_type: str | None = None
    scope: str | None = None
    source: str = ""

    @classmethod
    def from_mapping(cls, values: Mapping[str, object], source: str) -> PartialMetadata:
        """Take the known fields from a mapping (manifest row, YAML, options)."""
        picked: dict[str, str | None] = {}
        for field in FIELDS:
            value = values.get(field)
            if value is None or (isinstance(value, str) and not value.strip()):
                picked[field] = None
            elif isinstance(value, dt.date):
                picked[field] = value.isoformat()
            else:
                picked[field] = str(value).strip()
        return cls(**picked, source=source)


@dataclass(frozen=True)
class Manifest:
    """A folder's manifest rows by file, and what in it a person should check."""

    rows: dict[str, PartialMetadata]
    # A file listed twice (the later row applies), a row naming no file in the folder.
    warnings: tuple[str, ...] = ()


def read_manifest(folder: Path) -> Manifest:
    """Rows of `folder/manifest.csv` keyed by the file's path relative to the folder."""
    path = folder / MANIFEST_NAME
    if not path.is_file():
        return Manifest({})
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in ("path",) if c not in (reader.fieldnames or [])]
            if missing:
                raise MetadataError(
                    f"{path}: the header must name the columns {', '.join(MANIFEST_COLUMNS)}"
                )
            rows: dict[str, PartialMetadata] = {}
            lines: dict[str, int] = {}
            warnings: list[str] = []
            for line, row in enumerate(reader, start=2):
                key = (row.get("path") or "").strip()
                if not key:
                    raise MetadataError(f"{path} line {line}: the path column is empty")
                key = Path(key).as_posix()
                if key in lines:
                    warnings.append(
                        f"line {line} lists {key} again (first on line {lines[key]}): "
                        f"line {line} applies"
                    )
                lines[key] = line
                rows[key] = PartialMetadata.from_mapping(row, f"{path.name} line {line}")
            warnings += [
                f"line {lines[key]}: {key} is not in the folder (a file renamed or not copied?)"
                for key in rows
                if not (folder / key).is_file()
            ]
            return Manifest(rows, tuple(warnings))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise MetadataError(f"{path}: cannot read the manifest ({exc})") from exc


def sidecar_path(path: Path) -> Path | None:
    """`NAME.meta.yaml` beside a file (`report.meta.yaml` or `report.pdf.meta.yaml`)."""
    for candidate in (
        path.with_name(path.stem + ".meta.yaml"),
        path.with_name(path.name + ".meta.yaml"),
    ):
        if candidate.is_file():
            return candidate
    return None


def read_sidecar(path: Path) -> PartialMetadata | None:
    """Metadata from a file's sidecar YAML, if it has one."""
    sidecar = sidecar_path(path)
    if sidecar is None:
        return None
    try:
        loaded = yaml.safe_load(sidecar.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise MetadataError(f"{sidecar.name}: not valid YAML ({exc})") from exc
    if not isinstance(loaded, dict):
        raise MetadataError(f"{sidecar.name}: must be a mapping of field: value")
    return PartialMetadata.from_mapping(loaded, sidecar.name)


def parse_review_date(value: str, source: str) -> tuple[dt.date, str]:
    """A given date and its precision ('day' or 'month').

    'YYYY-MM-DD' or 'YYYY-MM', or as people in the UK write a date in a spreadsheet:
    '11/02/2019' (day first), '11 February 2019', 'Feb 2019'.
    """
    text = value.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{1,2}", text):
            year, month = (int(part) for part in text.split("-"))
            return dt.date(year, month, 1), "month"
        return dt.date.fromisoformat(text), "day"
    except ValueError as exc:
        written = _written_date(text)
        if written is not None:
            return written
        raise MetadataError(
            f"{source}: review_date {value!r} is not a date (use YYYY-MM-DD or YYYY-MM; "
            "11/02/2019 and 11 February 2019 are read day first)"
        ) from exc


def _written_date(text: str) -> tuple[dt.date, str] | None:
    """A whole value that is one date as the text patterns read it (day first), if any."""
    for pattern in _DATE_PATTERNS:
        match = pattern.fullmatch(text)
        if match is None:
            continue
        found = _pattern_date(match.groupdict())
        if found is not None:
            return found
    return None


def _pattern_date(groups: dict[str, str | None]) -> tuple[dt.date, str] | None:
    """The date a _DATE_PATTERNS match names (None when no such day: 31/02/2019)."""
    month = int(groups["m"]) if groups.get("m") else _MONTHS[str(groups["mon"]).lower()]
    try:
        if groups.get("d"):
            return dt.date(int(str(groups["y"])), month, int(str(groups["d"]))), "day"
        return dt.date(int(str(groups["y"])), month, 1), "month"
    except ValueError:
        return None


def parse_doc_type(value: str, source: str) -> str:
    """Normalise a document type ('Focus group' -> 'focus_group') and check it is known."""
    normal = re.sub(r"[\s-]+", "_", value.strip().lower())
    if normal not in DOC_TYPES:
        raise MetadataError(f"{source}: doc_type {value!r} is not one of {', '.join(DOC_TYPES)}")
    return normal


def parse_scope(value: str, source: str) -> str:
    """'local' or 'national' ('thematic' and 'strategic' reports are national)."""
    normal = value.strip().lower()
    if normal not in _SCOPES:
        raise MetadataError(
            f"{source}: scope {value!r} is not one of local, national (or thematic, strategic)"
        )
    return _SCOPES[normal]


def is_national_area(area: str | None) -> bool:
    """Whether an area names the whole country or a nation rather than a locality."""
    return area is not None and area.strip().lower() in NATIONAL_AREAS


def infer_review_date(text: str) -> tuple[dt.date, str] | None:
    """The first date near the top of the text (the header of a review), if any."""
    head = text[:_HEADER_CHARS]
    found: list[tuple[int, dt.date, str]] = []
    for pattern in _DATE_PATTERNS:
        for match in pattern.finditer(head):
            named = _pattern_date(match.groupdict())
            if named is not None:
                found.append((match.start(), *named))
    if not found:
        return None
    found.sort(key=lambda item: (item[0], item[2] != "day"))
    _, date, precision = found[0]
    return date, precision


def infer_area(mentions: list[PlaceMention], gazetteer: Gazetteer) -> str | None:
    """The local authority mentioned most often (earliest first on a tie).

    A document whose places spread across the country (a national or thematic report) is about
    no one of them: its area is `NATIONAL_AREA`, not its most-mentioned district.
    """
    counts: Counter[str] = Counter()
    regions: Counter[str] = Counter()
    first_seen: dict[str, int] = {}
    for mention in mentions:
        authority = gazetteer.local_authority_of(mention.place)
        if authority is None:
            continue
        counts[authority.name] += 1
        regions[authority.region or authority.nation or authority.name] += 1
        first_seen.setdefault(authority.name, mention.start)
    if not counts:
        return None
    if is_spread_nationally(regions):
        return NATIONAL_AREA
    return min(counts, key=lambda name: (-counts[name], first_seen[name]))


def is_spread_nationally(region_mentions: Counter[str]) -> bool:
    """Whether mentions spread over many regions with none holding a local share of them."""
    total = sum(region_mentions.values())
    if total == 0 or len(region_mentions) < _NATIONAL_MIN_REGIONS:
        return False
    return max(region_mentions.values()) / total < _LOCAL_REGION_SHARE


def infer_doc_type(path: Path, blocks: list[Block]) -> str:
    """Transcript or focus group from speaker turns, notes from the file name, else report."""
    speakers = [b.speaker for b in blocks if b.kind == "turn" and b.speaker]
    if speakers:
        numbered = sum(1 for s in speakers if re.match(r"^P\d", s))
        return "focus_group" if numbered >= len(speakers) / 3 else "transcript"
    if "note" in path.stem.lower():
        return "notes"
    return "report"


# A title taken from a document's opening words: enough to recognise it, short as a title.
OPENING_WORDS = 10
MIN_OPENING_WORDS = 4


def infer_title(path: Path, extracted_title: str | None, blocks: list[Block]) -> str:
    """The title the file declares, else its first heading that names it, else its name.

    A document that opens on a section heading ("1. Introduction", as a report extracted from a
    PDF without its cover does) has no title in its text: the file name says more, unless it is
    no words at all (a hash), when the document's opening words are its title.
    """
    if extracted_title and extracted_title.strip():
        return extracted_title.strip()
    for block in blocks:
        if block.kind == "heading":
            if _SECTION_HEADING.match(block.text):
                break
            return block.text
    named = re.sub(r"[_-]+", " ", path.stem).strip().capitalize()
    if re.search(r"[^\W\d_]{3}", path.stem) is None:
        # "000_39d88d9572103bf9" (a download's hash) names nothing: the opening words say more.
        opening = next((b.text for b in blocks if b.kind == "paragraph" and b.text.strip()), "")
        words = opening.split()
        if len(words) >= MIN_OPENING_WORDS:
            shown = " ".join(words[:OPENING_WORDS])
            return shown + ("…" if len(words) > OPENING_WORDS else "")
    return named


def merge_sources(sources: list[PartialMetadata | None]) -> dict[str, tuple[str, str]]:
    """For each field, the first source that gives it: {field: (value, source)}."""
    merged: dict[str, tuple[str, str]] = {}
    for partial in sources:
        if partial is None:
            continue
        for field in FIELDS:
            value = getattr(partial, field)
            if value is not None and field not in merged:
                merged[field] = (value, partial.source)
    return merged


def source_conflicts(sources: list[PartialMetadata | None]) -> list[str]:
    """Fields that two sources give differently, and which applies (the first, as merged).

    Precedence decides, but silently it hid a sidecar's area that the manifest overrode.
    """
    given = [partial for partial in sources if partial is not None]
    said: list[str] = []
    for field in FIELDS:
        values = [(getattr(p, field), p.source) for p in given if getattr(p, field) is not None]
        if len({_compared(field, str(v)) for v, _ in values}) > 1:
            (value, source), *others = values
            other = "; ".join(f"{where} says {v!r}" for v, where in others)
            said.append(f"{field}: {source} says {value!r} and applies; {other}")
    return said


def _compared(field: str, value: str) -> object:
    """A given value as it means, for comparing sources (an invalid one as written).

    '2019-02' and 'Feb 2019', or 'Focus group' and 'focus_group', are no disagreement.
    """
    parse = {"review_date": parse_review_date, "doc_type": parse_doc_type}.get(field)
    try:
        return parse(value, "") if parse else " ".join(value.casefold().split())
    except MetadataError:
        return value


def resolve_metadata(
    given: dict[str, tuple[str, str]],
    *,
    path: Path,
    text: str,
    blocks: list[Block],
    extracted_title: str | None,
    mentions: list[PlaceMention],
    gazetteer: Gazetteer,
) -> DocumentMetadata:
    """Validate what was given and infer the rest."""
    inferred: list[str] = []
    if "title" in given:
        title = given["title"][0]
    else:
        title = infer_title(path, extracted_title, blocks)
        inferred.append("title")
    if "doc_type" in given:
        doc_type = parse_doc_type(*given["doc_type"])
    else:
        doc_type = infer_doc_type(path, blocks)
        inferred.append("doc_type")
    review_date: dt.date | None = None
    precision: str | None = None
    if "review_date" in given:
        review_date, precision = parse_review_date(*given["review_date"])
    else:
        guess = infer_review_date(text)
        if guess:
            review_date, precision = guess
            inferred.append("review_date")
    if "area" in given:
        area: str | None = given["area"][0]
    else:
        area = infer_area(mentions, gazetteer)
        if area:
            inferred.append("area")
    if "scope" in given:
        scope = parse_scope(*given["scope"])
    else:
        # Local unless the area says otherwise: most documents are locality reviews, and a
        # national report is marked as such (or placed nationally) by whoever knows it.
        scope = "national" if is_national_area(area) else "local"
        if scope == "national":
            inferred.append("scope")
    return DocumentMetadata(
        title=title,
        area=area,
        review_date=review_date,
        review_date_precision=precision,
        doc_type=doc_type,
        inferred=tuple(inferred),
        scope=scope,
    )


@dataclass(frozen=True)
class PlacedArea:
    """A document's area resolved against the gazetteer, and the warning when it could not be."""

    area: str | None
    region: str | None = None
    nation: str | None = None
    police_force: str | None = None
    warning: str | None = None


def resolve_area(area: str | None, gazetteer: Gazetteer) -> PlacedArea:
    """An area as its local authority, with that place's region, nation and police force.

    A place inside an authority (a town, a district) is stored as the authority. An area the
    gazetteer does not know is kept as given, with a warning; so is a missing one.
    """
    if not area:
        return PlacedArea(area, warning="no area given and none could be inferred from the text")
    # A national document is about the whole country: no one region or force (a nation's report
    # keeps its nation).
    if is_national_area(area):
        place = gazetteer.resolve(area)
        nation = place.nation if place is not None and place.kind == "nation" else None
        return PlacedArea(area, nation=nation)
    place = gazetteer.resolve(area)
    if place is None:
        return PlacedArea(
            area,
            warning=f"area {area!r} is not in the gazetteer: region and police force unknown",
        )
    authority = gazetteer.local_authority_of(place) or place
    return PlacedArea(authority.name, place.region, place.nation, place.police_force)
