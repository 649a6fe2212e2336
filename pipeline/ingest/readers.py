"""Reading files into blocks: one function per format, chosen by extension.

PDF text comes from pypdfium2: in `bench/pdf_readers.py` all four candidates recovered the same
words, and pypdfium2 was 7x faster than pypdf and 25x faster than pdfminer.six; only PyMuPDF was
faster (by ~25%), and its AGPL licence would bind every user of Findings. pypdfium2 also gives
line positions, which reveal the paragraph breaks that plain extracted text hides.
"""

from __future__ import annotations

import io
import itertools
import re
import struct
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from pipeline.errors import (
    CorruptDocumentError,
    EmptyDocumentError,
    FileTooLargeError,
    UnreadableFileError,
    UnsupportedFormatError,
    ZipLimitError,
)
from pipeline.ingest.layout import BREAK_HYPHEN, lines_to_blocks
from pipeline.ingest.tables import Cell, is_data_table, table_blocks
from pipeline.ingest.text import collapse_whitespace, decode_bytes, normalise_text
from pipeline.passages.transcripts import speaker_label
from pipeline.records import Block, ExtractedDocument

if TYPE_CHECKING:
    from pipeline.settings import Settings

SUPPORTED_SUFFIXES: tuple[str, ...] = (".txt", ".md", ".markdown", ".docx", ".pdf", ".html", ".htm")


def read_bytes(path: Path, max_bytes: int) -> bytes:
    """Read a file's bytes, refusing files over the size limit before reading them."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise UnreadableFileError(f"cannot read file: {exc.strerror or exc}") from exc
    if size > max_bytes:
        raise FileTooLargeError(
            f"file is {size / 1_048_576:.2g} MB, over the {max_bytes / 1_048_576:.3g} MB limit "
            "(raise FINDINGS_MAX_FILE_MB to allow it)"
        )
    if size == 0:
        raise EmptyDocumentError("empty file (0 bytes)")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise UnreadableFileError(f"cannot read file: {exc.strerror or exc}") from exc


def check_supported(path: Path) -> None:
    """Refuse a file whose extension no reader handles, before reading it."""
    suffix = path.suffix.lower()
    if suffix not in _READERS and suffix not in _ZIP_READERS:
        supported = ", ".join(SUPPORTED_SUFFIXES)
        shown = suffix or "(no extension)"
        raise UnsupportedFormatError(f"unsupported file type {shown} (Findings reads {supported})")


def extract_document(
    path: Path, data: bytes, zip_limits: ZipLimits | None = None
) -> ExtractedDocument:
    """Extract blocks from a file's bytes; the reader is chosen by the file's extension.

    `zip_limits` bound what a zip-based file (DOCX) may unpack to (default: `ZipLimits()`).
    """
    check_supported(path)
    suffix = path.suffix.lower()
    if suffix in _ZIP_READERS:
        document = _ZIP_READERS[suffix](data, zip_limits or ZipLimits())
    else:
        document = _READERS[suffix](data)
    blocks = without_contents([b for b in document.blocks if b.text.strip()])
    if not any(b.kind != "heading" for b in blocks):
        raise EmptyDocumentError("no text found in the file")
    return ExtractedDocument(document.format, blocks, document.title, document.front_matter)


# A contents line: an entry, then dot leaders or a space, then its page ("Key findings .... 4").
_CONTENTS_LINE = re.compile(
    r"^(?P<entry>.+?)(?:\s*[.…·_]{2,}\s*|\s+)(?:\d{1,4}|[ivxlc]{1,6})$", re.I
)
_ENUMERATOR = re.compile(r"^(?:\d+(?:\.\d+)*\.?|[ivxlc]+\.|[a-z]\))\s+", re.I)


def without_contents(blocks: list[Block]) -> list[Block]:
    """The blocks less a table of contents: lines naming a later heading and a page number.

    In any format: Word's TOC field, a PDF's dotted contents page and a typed list of sections
    all repeat the headings ("2. Key findings 4"), and as passages they outranked the sections
    they point to in search.
    """

    def key(text: str) -> str:
        return " ".join(_ENUMERATOR.sub("", text).casefold().split())

    later: set[str] = set()
    dropped: set[int] = set()
    for index in range(len(blocks) - 1, -1, -1):
        block = blocks[index]
        entry = _CONTENTS_LINE.match(block.text)
        if entry and key(entry.group("entry")) in later:
            dropped.add(index)  # (a text file's contents line may read as a heading itself)
        elif block.kind == "heading":
            later.add(key(block.text))
    return [block for index, block in enumerate(blocks) if index not in dropped]


# --- plain text -----------------------------------------------------------------------------


def read_text(data: bytes) -> ExtractedDocument:
    """Plain text, including text exported from PDFs (form feeds separate pages)."""
    text = normalise_text(decode_bytes(data))
    pages = [page.split("\n") for page in text.split("\f")]
    return ExtractedDocument("txt", lines_to_blocks(pages))


# --- markdown -------------------------------------------------------------------------------

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(?P<yaml>.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
_MD_HEADING = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<text>.*?)\s*#*\s*$")
_MD_BULLET = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+(?P<text>\S.*)$")
_MD_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_MD_EMPHASIS = re.compile(r"(\*\*|__|\*|_|`)(?=\S)(.+?)(?<=\S)\1")


_MD_FENCE = re.compile(r"^(?:```|~~~)")
_MD_TABLE_RULE = re.compile(r"^\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?$")
_MD_CELL_BAR = re.compile(r"(?<!\\)\|")


def _md_cells(line: str, heading: bool = False) -> list[Cell]:
    """The cells of a Markdown table row ("| a | b |"); an escaped bar stays in its cell."""
    inner = line.strip().removeprefix("|").removesuffix("|")
    return [
        Cell(collapse_whitespace(_strip_inline_markdown(part.replace("\\|", "|"))), heading)
        for part in _MD_CELL_BAR.split(inner)
    ]


def _cells_read_alone(rows: list[list[Cell]]) -> list[Block]:
    """A table of prose read cell by cell, as paragraphs."""
    return [Block("paragraph", cell.text) for row in rows for cell in row if cell.text]


def _strip_inline_markdown(text: str) -> str:
    text = _MD_IMAGE.sub(r"\1", text)
    text = _MD_LINK.sub(r"\1", text)
    return _MD_EMPHASIS.sub(r"\2", text)


def split_front_matter(text: str) -> tuple[dict[str, object], str]:
    """Separate YAML front matter from a Markdown body."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    try:
        loaded = yaml.safe_load(match["yaml"]) or {}
    except yaml.YAMLError as exc:
        raise CorruptDocumentError(f"front matter is not valid YAML: {exc}") from exc
    if not isinstance(loaded, dict):
        raise CorruptDocumentError("front matter must be a YAML mapping (key: value lines)")
    return {str(k): v for k, v in loaded.items()}, text[match.end() :]


def read_markdown(data: bytes) -> ExtractedDocument:
    """Markdown: front matter, `#` headings, list items and paragraphs."""
    front_matter, body = split_front_matter(normalise_text(decode_bytes(data)))
    blocks: list[Block] = []
    current: list[str] = []
    kind = "paragraph"
    title: str | None = None

    def flush() -> None:
        nonlocal current
        if current:
            text = collapse_whitespace(_strip_inline_markdown(" ".join(current)))
            blocks.append(Block(kind, text, prefix="• " if kind == "bullet" else ""))  # type: ignore[arg-type]
        current = []

    lines = body.split("\n")
    at = 0
    while at < len(lines):
        raw = lines[at]
        at += 1
        line = raw.strip()
        if _MD_FENCE.match(line):
            # A fenced block is read as it is written, line by line: never a table or heading.
            flush()
            fence = line[:3]
            while at < len(lines) and not lines[at].strip().startswith(fence):
                if lines[at].strip():
                    blocks.append(Block("paragraph", collapse_whitespace(lines[at])))
                at += 1
            at += 1  # the closing fence
            continue
        rule = lines[at].strip() if at < len(lines) else ""
        if "|" in line and _MD_TABLE_RULE.match(rule) and ("|" in rule or line.startswith("|")):
            flush()
            rows = [_md_cells(line, heading=True)]
            at += 1  # the rule under the headings
            while at < len(lines) and "|" in lines[at] and lines[at].strip():
                rows.append(_md_cells(lines[at].strip()))
                at += 1
            blocks.extend(table_blocks(rows) if is_data_table(rows) else _cells_read_alone(rows))
            continue
        heading = _MD_HEADING.match(line)
        bullet = _MD_BULLET.match(raw)
        if not line:
            flush()
        elif heading:
            flush()
            text = collapse_whitespace(_strip_inline_markdown(heading["text"]))
            blocks.append(Block("heading", text))
            if title is None and len(heading["hashes"]) == 1:
                title = text
        elif bullet:
            flush()
            kind = "bullet"
            current = [bullet["text"]]
        elif not current or speaker_label(line):
            flush()
            kind = "paragraph"
            current = [line]
        else:
            current.append(line)
    flush()
    return ExtractedDocument("md", blocks, title, front_matter)


# --- HTML -----------------------------------------------------------------------------------

_HTML_BLOCKS = ("h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "blockquote", "dd", "dt", "td", "th")
_MAX_SPAN = 100  # columns or rows one merged cell may cover: more is a broken or hostile file
_MAX_TABLE_CELLS = 200_000  # cells of one HTML table once its merged cells are spread
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_W_VAL = _W + "val"
_W_ID, _W_TYPE, _W_T, _W_ILVL = _W + "id", _W + "type", _W + "t", _W + "ilvl"
_W_ABSTRACT_ID, _W_NUM_ID = _W + "abstractNumId", _W + "numId"
_ROMAN = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"),
          (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))  # fmt: skip
_HTML_DROP = ("script", "style", "nav", "footer", "header", "aside", "noscript", "form", "template")
# A page's chrome by role, and by the class or id words sites give it (whole words of the
# attribute, so "shared-care" is not "share").
_HTML_CHROME = (
    "[role=navigation]", "[role=banner]", "[role=contentinfo]", "[role=search]",
    "[role=complementary]", "[aria-hidden=true]",
    *(
        f'[{attribute}~="{word}"], [{attribute}^="{word}-"], [{attribute}$="-{word}"]'
        for attribute in ("class", "id")
        for word in ("cookie", "cookies", "breadcrumb", "breadcrumbs", "share", "related",
                     "feedback", "skip", "footer", "masthead")
    ),
)  # fmt: skip
# Word's list marker kept in a list paragraph's text: a Symbol-font bullet or a number.
_WORD_LIST_MARKER = re.compile(r"^(?:[·•o§▪\uf0b7]|(?P<number>\(?\w{1,3}[.)]))\s+")
# <title>s that name no document: Word's and editors' placeholders.
_PLACEHOLDER_TITLE = re.compile(
    r"^(?:Document\d*|Untitled.*|Microsoft Word - .*|New document)$", re.I
)


def read_html(data: bytes) -> ExtractedDocument:
    """HTML: headings, paragraphs and list items in document order; a page's chrome is dropped.

    Where the page marks its main content (`<main>`, role="main"), only that is read; around
    and within it, navigation, banners, footers, cookie notices, share and related-content boxes
    go, and so do paragraphs and list items that are nothing but links. Text is read as the page
    shows it: inline elements join without spaces ("Middles<span>brough</span>" is one word).
    """
    from selectolax.lexbor import LexborHTMLParser as HTMLParser

    tree = HTMLParser(normalise_text(decode_bytes(data)))
    title_node = tree.css_first("title")
    page_title = collapse_whitespace(title_node.text()) if title_node else None
    for selector in (*_HTML_DROP, *_HTML_CHROME):
        for node in tree.css(selector):
            node.decompose()
    for node in tree.css("br"):
        node.replace_with(" ")
    root = tree.css_first("main, [role=main]") or tree.body or tree.root
    if root is None:
        raise CorruptDocumentError("no HTML body found")
    blocks: list[Block] = []
    title: str | None = None
    selector = ",".join(_HTML_BLOCKS)
    data_tables: dict[int, bool] = {}  # a table's mem_id: whether it is read row by row
    for node in root.css(selector + ",table"):
        if node.tag == "table":
            rows = _html_table_rows(node)
            data_tables[node.mem_id] = rows is not None and is_data_table(rows)
            if data_tables[node.mem_id]:
                caption = node.css_first("caption")
                said = collapse_whitespace(caption.text(separator=" ")) if caption else ""
                blocks.extend(table_blocks(rows, said))  # type: ignore[arg-type]
            continue
        if data_tables.get(_enclosing_table_id(node), False):
            continue  # read with its row
        if len(node.css(selector)) > 1 or node.css_first("table") is not None:
            # A container (li holding p or a table; css() includes the node): its inner blocks
            # are read in turn; its own words before them ("Data and intelligence") here.
            own = collapse_whitespace(node.text(deep=False, separator=" "))
            if own:
                blocks.append(_html_block(node.tag, own))
            continue
        text = collapse_whitespace(node.text(deep=True, separator=""))
        if not text or _only_links(node, text):
            continue
        css_class = node.attributes.get("class") or ""
        if css_class.startswith("MsoTitle"):  # Word's title paragraph, as the reader sees it
            title = title or text
            blocks.append(Block("heading", text))
            continue
        blocks.append(_html_block(node.tag, text, css_class))
    if not blocks:
        fallback = collapse_whitespace(root.text(separator=" "))
        if fallback:
            blocks.append(Block("paragraph", fallback))
    # Word's visible title paragraph, else <title> less a site's name after a bar ("… | Kent
    # Community Safety Partnership") and never a placeholder ("Document1"), else the first
    # heading.
    if page_title:
        page_title = page_title.rsplit(" | ", 1)[0].strip()
    if title is None and page_title and not _PLACEHOLDER_TITLE.match(page_title):
        title = page_title
    if title is None:
        title = next((b.text for b in blocks if b.kind == "heading"), None)
    return ExtractedDocument("html", blocks, title)


def _only_links(node: object, text: str) -> bool:
    """Whether an element's words are all inside links (a menu, "Related content", a footer)."""
    linked = "".join(a.text(deep=True, separator="") for a in node.css("a"))  # type: ignore[attr-defined]
    return bool(linked) and collapse_whitespace(linked).replace(" ", "") == text.replace(" ", "")


def _html_block(tag: str, text: str, css_class: str = "") -> Block:
    """A heading, list item or paragraph of HTML text, by its element (and Word's classes).

    Word's HTML marks its list items `MsoListParagraph…`, their marker ("·" in the Symbol font,
    or "1.") in the text.
    """
    if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
        return Block("heading", text)
    if tag == "li":
        return Block("bullet", text, prefix="• ")
    if css_class.startswith("MsoListParagraph") and (marker := _WORD_LIST_MARKER.match(text)):
        number = marker.group("number")
        return Block("bullet", text[marker.end() :], prefix=f"{number} " if number else "• ")
    return Block("paragraph", text)


def _enclosing_table_id(node: object) -> int | None:
    """The mem_id of the nearest table around an HTML node, if any."""
    parent = node.parent  # type: ignore[attr-defined]
    while parent is not None and parent.tag != "table":
        parent = parent.parent
    return None if parent is None else parent.mem_id


def _html_table_rows(table: object) -> list[list[Cell]] | None:
    """A table's grid of cells, merged cells spread over what they cover (colspan, rowspan).

    None when a cell holds a table (layout).
    """
    if len(table.css("table")) > 1:  # type: ignore[attr-defined]  # css() includes the node
        return None
    grid: list[list[Cell]] = []
    below: dict[tuple[int, int], Cell] = {}  # (row, column): a cell a rowspan carries down
    cells = 0
    for number, tr in enumerate(table.css("tr")):  # type: ignore[attr-defined]
        row: list[Cell] = []
        for cell in tr.iter():
            if cell.tag not in ("td", "th"):
                continue
            while (number, len(row)) in below:
                row.append(below.pop((number, len(row))))
            text = collapse_whitespace(cell.text(deep=True, separator=" "))
            placed = Cell(text, heading=cell.tag == "th")
            across, down = _span(cell, "colspan"), _span(cell, "rowspan")
            start = len(row)
            row += [placed] + [_copy(placed) for _ in range(across - 1)]
            for column in range(start, start + across):
                for later in range(number + 1, number + down):
                    below[(later, column)] = _copy(placed)
        while (number, len(row)) in below:
            row.append(below.pop((number, len(row))))
        grid.append(row)
        cells += len(row)
        if cells + len(below) > _MAX_TABLE_CELLS:
            return None  # spans that would spread past any real table: read its cells once
    return grid


def _span(cell: object, attribute: str) -> int:
    """A cell's colspan or rowspan: 1 when absent or not a small number."""
    value = (cell.attributes.get(attribute) or "1").strip()  # type: ignore[attr-defined]
    return min(int(value), _MAX_SPAN) if value.isdigit() and int(value) > 0 else 1


def _copy(cell: Cell) -> Cell:
    return Cell(cell.text, cell.heading, spanned=True)


# --- DOCX -----------------------------------------------------------------------------------

_MB = 1024 * 1024
# The end-of-central-directory records of a zip (classic and zip64), and the zip64 locator.
_END = struct.Struct("<4s4H2LH")
_END64_LOCATOR = struct.Struct("<4sLQL")
_END64 = struct.Struct("<4sQ2H2L4Q")
# A central-directory entry is 46 bytes plus its name; DOCX part names are short, so a
# directory averaging more than this per part is hiding parts (or padding) from the count.
_DIRECTORY_BYTES_PER_PART = 256
# Below this a part cannot expand to much, and small parts (styles, settings) pack unusually
# tightly, so only larger parts have their packing ratio checked.
_RATIO_FLOOR_BYTES = 256 * 1024
_READ_CHUNK = 1024 * 1024
_BOM_AND_SPACE = b"\xef\xbb\xbf\xff\xfe\x00 \t\r\n"


@dataclass(frozen=True)
class ZipLimits:
    """How far a zip-based document (DOCX) may unpack before it is refused as a zip bomb.

    The defaults are those of `Settings`, where the reasons for them are given.
    """

    max_unzipped_bytes: int = 100 * _MB
    max_ratio: float = 100.0
    max_parts: int = 5_000
    max_xml_elements: int = 1_000_000
    max_paragraphs: int = 50_000

    @classmethod
    def from_settings(cls, settings: Settings) -> ZipLimits:
        """The limits configured in settings."""
        return cls(
            max_unzipped_bytes=int(settings.max_unzipped_mb * _MB),
            max_ratio=settings.max_zip_ratio,
            max_parts=settings.max_zip_parts,
            max_xml_elements=settings.max_xml_elements,
            max_paragraphs=settings.max_paragraphs,
        )


def _refuse(reason: str, setting: str) -> ZipLimitError:
    return ZipLimitError(f"{reason} (a zip bomb? Raise FINDINGS_{setting} to allow it)")


@dataclass(frozen=True)
class _Directory:
    """What a zip's end record declares about its central directory."""

    parts: int
    size: int


def _declared_directory(data: bytes) -> _Directory | None:
    """The part count and directory size a zip's end record declares (None: no end record).

    Read straight from the bytes: `zipfile` parses the whole directory first, which for
    300,000 empty parts (25 MB) takes 8 seconds.
    """
    at = data.rfind(b"PK\x05\x06", max(0, len(data) - _END.size - 0xFFFF))
    if at < 0 or len(data) - at < _END.size:
        return None
    _, _, _, _, parts, size, _, _ = _END.unpack_from(data, at)
    if parts == 0xFFFF or size == 0xFFFFFFFF:  # the zip64 record holds the real numbers
        locator = at - _END64_LOCATOR.size
        if locator >= 0:
            signature, _, offset, _ = _END64_LOCATOR.unpack_from(data, locator)
            if signature == b"PK\x06\x07" and 0 <= offset <= len(data) - _END64.size:
                signature, _, _, _, _, _, _, parts64, size64, _ = _END64.unpack_from(data, offset)
                if signature == b"PK\x06\x06":
                    parts, size = parts64, size64
    return _Directory(parts, size)


def check_zip_limits(data: bytes, limits: ZipLimits, kind: str) -> None:
    """Refuse a zip (a `kind` file, for messages) whose contents would exceed the limits.

    Raises:
        ZipLimitError: too many parts, too large or too tightly packed when unpacked, or too
            many XML elements.
        CorruptDocumentError: not a zip, or a part's data does not match its header.
    """
    directory = _declared_directory(data)
    if directory is not None:
        if directory.parts > limits.max_parts:
            raise _refuse(
                f"the {kind} has {directory.parts:,} parts, over the {limits.max_parts:,} limit",
                "MAX_ZIP_PARTS",
            )
        if directory.size > limits.max_parts * _DIRECTORY_BYTES_PER_PART:
            raise _refuse(
                f"the {kind} lists its parts in {directory.size / _MB:.3g} MB, more than "
                f"{limits.max_parts:,} parts need",
                "MAX_ZIP_PARTS",
            )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            if len(infos) > limits.max_parts:
                raise _refuse(
                    f"the {kind} has {len(infos):,} parts, over the {limits.max_parts:,} limit",
                    "MAX_ZIP_PARTS",
                )
            _check_declared_sizes(infos, limits, kind)
            _check_unpacked(archive, infos, limits, kind)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError) as exc:
        raise CorruptDocumentError(
            f"not a valid {kind} file ({exc.__class__.__name__}: {exc})"
        ) from exc


def _check_declared_sizes(infos: list[zipfile.ZipInfo], limits: ZipLimits, kind: str) -> None:
    """Refuse on the sizes the headers declare, before anything is unpacked."""
    unpacked = sum(info.file_size for info in infos)
    if unpacked > limits.max_unzipped_bytes:
        raise _refuse(
            f"the {kind} unpacks to {unpacked / _MB:,.0f} MB, over the "
            f"{limits.max_unzipped_bytes / _MB:,.0f} MB limit",
            "MAX_UNZIPPED_MB",
        )
    packed = sum(info.compress_size for info in infos)
    for what, size, compressed in [
        *((f"{info.filename} in the {kind}", info.file_size, info.compress_size) for info in infos),
        (f"the {kind}", unpacked, packed),
    ]:
        ratio = size / max(compressed, 1)
        if size > _RATIO_FLOOR_BYTES and ratio > limits.max_ratio:
            raise _refuse(
                f"{what} unpacks to {ratio:,.0f} times its size ({size / _MB:.3g} MB from "
                f"{compressed / 1024:.3g} KB), over the {limits.max_ratio:g}x limit",
                "MAX_ZIP_RATIO",
            )


def _check_unpacked(
    archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], limits: ZipLimits, kind: str
) -> None:
    """Unpack every part in bounded chunks, counting bytes and XML elements, keeping none.

    Headers can lie, and `ZipFile.read` of a whole part inflates all its data at once before
    cutting it to the declared size (90 MB held for a part declaring 100 KB). Read a chunk at
    a time, a part stops at its declared size and then fails its checksum; the bytes actually
    unpacked are counted as well.
    """
    unpacked = 0
    elements = 0
    for info in infos:
        with archive.open(info) as part:
            chunk = part.read(_READ_CHUNK)
            # Images and other binary parts are never parsed as XML: their first bytes say so.
            is_xml = chunk.lstrip(_BOM_AND_SPACE)[:1] == b"<"
            while chunk:
                unpacked += len(chunk)
                if is_xml:
                    # A start tag (or an empty element) opens with "<" but not "</": counting
                    # bytes bounds the elements a parser would build, at a byte search's speed.
                    elements += chunk.count(b"<") - chunk.count(b"</")
                if unpacked > limits.max_unzipped_bytes:
                    raise _refuse(
                        f"the {kind} unpacks to over {limits.max_unzipped_bytes / _MB:,.0f} MB "
                        "(more than its headers declare)",
                        "MAX_UNZIPPED_MB",
                    )
                if elements > limits.max_xml_elements:
                    raise _refuse(
                        f"the {kind} holds over {limits.max_xml_elements:,} XML elements",
                        "MAX_XML_ELEMENTS",
                    )
                chunk = part.read(_READ_CHUNK)


def read_docx(data: bytes, limits: ZipLimits) -> ExtractedDocument:
    """DOCX: paragraphs with their styles (headings, lists) and table cells, in order.

    Raises:
        ZipLimitError: the file unpacks beyond `limits` (checked before it is parsed).
        CorruptDocumentError: not a DOCX.
    """
    import docx
    from docx.enum.style import WD_STYLE_TYPE
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table, _Cell
    from docx.text.paragraph import Paragraph

    check_zip_limits(data, limits, "DOCX")
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise CorruptDocumentError(
            f"not a valid DOCX file ({exc.__class__.__name__}: {exc})"
        ) from exc
    # Style names by id, looked up once: python-docx finds the default style for each
    # unstyled paragraph by scanning every style (7 ms a paragraph, 15 s for 2,000).
    styles = {
        style.style_id: style.name or ""
        for style in document.styles
        if style.type == WD_STYLE_TYPE.PARAGRAPH
    }
    default_style = document.styles.default(WD_STYLE_TYPE.PARAGRAPH)
    default_name = (default_style.name if default_style is not None else "") or ""
    numbering = _DocxNumbering.of(document)
    blocks: list[Block] = []
    title: str | None = None

    def add_paragraph(paragraph: Paragraph) -> None:
        text = collapse_whitespace(normalise_text(_visible_text(paragraph)))
        if not text:
            return
        if len(blocks) >= limits.max_paragraphs:
            raise _refuse(
                f"the DOCX has over {limits.max_paragraphs:,} paragraphs and table cells",
                "MAX_PARAGRAPHS",
            )
        nonlocal title
        properties = paragraph._p.pPr
        style_id = properties.style if properties is not None else None
        style = styles.get(style_id, default_name)
        if style.lower().startswith("toc"):
            return  # a table of contents' line ("2. Key findings 4"): the headings say it
        marker = numbering.marker(properties, style_id)
        if style.startswith(("Heading", "Title")):
            if style.startswith("Title"):
                title = title or text  # the title a reader sees, before stale properties
            blocks.append(Block("heading", text))
        elif style.startswith("List") or marker is not None:
            blocks.append(Block("bullet", text, prefix=f"{marker or '•'} "))
        else:
            blocks.append(Block("paragraph", text))

    def add_table(table: Table) -> None:
        rows = _docx_table_rows(table, limits.max_paragraphs)
        if rows is not None and is_data_table(rows):
            cells = sum(len(row) for row in rows)
            if len(blocks) + cells > limits.max_paragraphs:
                raise _refuse(
                    f"the DOCX has over {limits.max_paragraphs:,} paragraphs and table cells",
                    "MAX_PARAGRAPHS",
                )
            blocks.extend(table_blocks(rows))
            return
        for row in table.rows:
            # Each <w:tc> once: python-docx's `row.cells` repeats a cell for every column it
            # spans and every row merged into it, so one cell could give its text a million
            # times. A table inside a cell is read in place.
            for cell_element in row._tr.tc_lst:
                for item in _Cell(cell_element, table).iter_inner_content():
                    if isinstance(item, Table):
                        add_table(item)
                    else:
                        add_paragraph(item)

    for item in document.iter_inner_content():
        if isinstance(item, Table):
            add_table(item)
        else:
            add_paragraph(item)
    for number, note in _docx_footnotes(document):
        if len(blocks) >= limits.max_paragraphs:
            break
        blocks.append(Block("paragraph", note, prefix=f"[{number}] "))
    title = title or collapse_whitespace(document.core_properties.title or "") or None
    return ExtractedDocument("docx", blocks, title)


def _docx_footnotes(document: object) -> list[tuple[str, str]]:
    """(number, text) of each footnote and endnote, in order (their figures' sources)."""
    from docx.oxml import parse_xml

    notes: list[tuple[str, str]] = []
    for part in document.part.package.iter_parts():  # type: ignore[attr-defined]
        if str(part.partname) not in ("/word/footnotes.xml", "/word/endnotes.xml"):
            continue
        root = parse_xml(part.blob)  # python-docx's parser: no entities, no network
        for note in root:
            if note.get(_W_TYPE) is not None:  # Word's separators, not notes
                continue
            text = collapse_whitespace(normalise_text("".join(_w_texts(note))))
            if text:
                notes.append((note.get(_W_ID, ""), text))
    return notes


def _w_texts(element: object) -> list[str]:
    """The w:t text under a WordprocessingML element, in order."""
    return [t.text or "" for t in element.iter(_W_T)]  # type: ignore[attr-defined]


class _DocxNumbering:
    """Word's list numbering: the marker each numbered paragraph shows ("3.", "b)", "•").

    Counters run per list and level as Word counts them: a level's count restarts when a
    shallower level moves on. Formats other than numbers, letters and roman numerals, and
    overrides of a list's start, are read as plain numbers.
    """

    def __init__(self, levels: dict[str, dict[int, tuple[str, str, int]]], styles: dict) -> None:
        self.levels = levels  # numId -> ilvl -> (numFmt, lvlText, start)
        self.styles = styles  # style id -> (numId, ilvl) of a list style ("List Number")
        self.counts: dict[str, list[int]] = {}

    @classmethod
    def of(cls, document: object) -> _DocxNumbering:
        """The numbering of a python-docx document (none when it has no numbering part)."""
        levels: dict[str, dict[int, tuple[str, str, int]]] = {}
        try:
            root = document.part.numbering_part.element  # type: ignore[attr-defined]
        except (KeyError, NotImplementedError):
            root = None
        if root is not None:
            abstract = {
                a.get(_W_ABSTRACT_ID): {
                    int(lvl.get(_W_ILVL, "0")): (
                        _w_val(lvl, "numFmt") or "decimal",
                        _w_val(lvl, "lvlText") or "",
                        int(_w_val(lvl, "start") or 1),
                    )
                    for lvl in a.findall(_W + "lvl")
                }
                for a in root.findall(_W + "abstractNum")
            }
            for num in root.findall(_W + "num"):
                levels[num.get(_W_NUM_ID, "")] = abstract.get(_w_val(num, "abstractNumId"), {})
        styles = {}
        for style in document.styles.element.findall(_W + "style"):  # type: ignore[attr-defined]
            numbered = style.find(f"{_W}pPr/{_W}numPr")
            if numbered is not None:
                styles[style.get(_W + "styleId")] = (
                    _w_val(numbered, "numId") or "",
                    int(_w_val(numbered, "ilvl") or 0),
                )
        return cls(levels, styles)

    def marker(self, properties: object, style_id: str | None) -> str | None:
        """The paragraph's marker, counted; None when it is not a numbered paragraph."""
        numbered = getattr(properties, "numPr", None)
        if numbered is not None:
            num_id = _w_val(numbered, "numId") or ""
            level = int(_w_val(numbered, "ilvl") or 0)
        elif style_id in self.styles:
            num_id, level = self.styles[style_id]
        else:
            return None
        formats = self.levels.get(num_id)
        if not formats or num_id == "0":  # numId 0 switches a style's numbering off
            return None if num_id == "0" else "•"
        level = level if level in formats else min(formats)
        fmt, text, _ = formats[level]
        if fmt == "bullet":
            return "•"
        counts = self.counts.setdefault(num_id, [])
        while len(counts) <= level:
            counts.append(formats.get(len(counts), ("decimal", "", 1))[2] - 1)
        counts[level] += 1
        del counts[level + 1 :]  # deeper levels start again
        for depth, count in enumerate(counts):
            depth_format = formats.get(depth, ("decimal", "", 1))[0]
            text = text.replace(f"%{depth + 1}", _list_number(count, depth_format))
        return text.strip() or None


def _list_number(count: int, fmt: str) -> str:
    if fmt in ("lowerLetter", "upperLetter"):
        letters = ""
        while count > 0:
            count, rest = divmod(count - 1, 26)
            letters = chr(ord("a") + rest) + letters
        return letters if fmt == "lowerLetter" else letters.upper()
    if fmt in ("lowerRoman", "upperRoman"):
        numerals = ""
        for value, numeral in _ROMAN:
            while count >= value:
                numerals, count = numerals + numeral, count - value
        return numerals.lower() if fmt == "lowerRoman" else numerals
    return str(count)


def _w_val(element: object, child: str) -> str | None:
    """The w:val of a WordprocessingML element's child (None when it has none)."""
    found = element.find(_W + child)  # type: ignore[attr-defined]
    return None if found is None else found.get(_W_VAL)


def _docx_table_rows(table: object, max_cells: int) -> list[list[Cell]] | None:
    """A DOCX table's grid of cells, merged cells spread over what they cover.

    Each <w:tc> once (see `read_docx`), then copied over the columns its w:gridSpan covers, and
    a cell that continues a vertical merge (w:vMerge) takes the text of the one above. The
    paragraphs of one cell are one value ("Cuckooing; knife crime"). Rows marked to repeat as
    header rows (w:tblHeader) give headings. None when a cell holds a table (layout), or when
    the spread grid would pass `max_cells` (each cell is then read once, as layout).
    """
    from docx.table import Table, _Cell

    grid: list[list[Cell]] = []
    for tr in table._tbl.tr_lst:  # type: ignore[attr-defined]
        heading = bool(tr.xpath("./w:trPr/w:tblHeader"))
        row: list[Cell] = []
        for cell_element in tr.tc_lst:
            texts = []
            for item in _Cell(cell_element, table).iter_inner_content():  # type: ignore[arg-type]
                if isinstance(item, Table):
                    return None
                text = collapse_whitespace(normalise_text(_visible_text(item)))
                if text:
                    texts.append(text)
            column = len(row)
            merged = cell_element.xpath("./w:tcPr/w:vMerge")
            continues = bool(merged) and merged[0].get(_W_VAL) in (None, "continue")
            if continues and grid and column < len(grid[-1]):
                placed = _copy(grid[-1][column])
            else:
                placed = Cell("; ".join(texts), heading=heading)
            across = min(max(cell_element.grid_span, 1), _MAX_SPAN)
            row += [placed] + [_copy(placed) for _ in range(across - 1)]
        grid.append(row)
        if sum(len(r) for r in grid) > max_cells:
            return None
    return grid


# Runs Word shows in a paragraph: its own and its links', and those inside tracked insertions,
# moves, smart tags, fields and content controls (form fields), in document order. python-docx's
# `text` reads only the first two, so a pending insertion (shown in Word) was lost; deletions
# (w:del, w:moveFrom) stay out.
_VISIBLE_RUNS = (
    "w:r | w:hyperlink | w:ins/w:r | w:ins/w:hyperlink | w:moveTo/w:r | w:smartTag/w:r"
    " | w:fldSimple/w:r | w:sdt/w:sdtContent/w:r"
)


def _visible_text(paragraph: object) -> str:
    """A DOCX paragraph's text as Word shows it (see `_VISIBLE_RUNS`)."""
    element = paragraph._p  # type: ignore[attr-defined]
    return "".join(run.text or "" for run in element.xpath(_VISIBLE_RUNS))


# --- PDF ------------------------------------------------------------------------------------


def _page_lines(textpage: object) -> list[str]:
    """A page's text lines in reading order, with blank lines at paragraph breaks.

    A blank line goes wherever the vertical gap between lines is clearly wider than the page's
    line pitch: a paragraph break that the extracted text alone hides.
    """
    lines: list[tuple[float, float, list[str]]] = []  # (top, bottom, pieces)
    for index in range(textpage.count_rects()):  # type: ignore[attr-defined]
        left, bottom, right, top = textpage.get_rect(index)  # type: ignore[attr-defined]
        piece = textpage.get_text_bounded(left, bottom, right, top).strip()  # type: ignore[attr-defined]
        if not piece:
            continue
        middle = (top + bottom) / 2
        if lines and lines[-1][1] <= middle <= lines[-1][0]:
            lines[-1][2].append(piece)
        else:
            lines.append((top, bottom, [piece]))
    steps = [a[0] - b[0] for a, b in itertools.pairwise(lines) if a[0] > b[0]]
    # The body line pitch: a low quantile, since pages of short paragraphs have as many
    # paragraph steps as line steps.
    pitch = sorted(steps)[len(steps) // 5] if steps else 0.0
    out: list[str] = []
    for index, (top, _, pieces) in enumerate(lines):
        if index and pitch and lines[index - 1][0] - top > 1.2 * pitch:
            out.append("")
        out.append(" ".join(pieces))
    return out


def _break_hyphen_at_end(line: str) -> str:
    """A line with pdfium's break-hyphen mark only at its end (a stray one is a hyphen)."""
    body, mark = (line[:-1], BREAK_HYPHEN) if line.endswith(BREAK_HYPHEN) else (line, "")
    return body.replace(BREAK_HYPHEN, "-") + mark


def pdf_pages(data: bytes) -> tuple[list[list[str]], str | None]:
    """Each page's lines and the document title, via pypdfium2."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        message = str(exc)
        if "password" in message.lower():
            raise CorruptDocumentError("the PDF is password-protected") from exc
        raise CorruptDocumentError(f"not a readable PDF ({message})") from exc
    try:
        pages: list[list[str]] = []
        for index in range(len(pdf)):
            page = pdf[index]
            textpage = page.get_textpage()
            pages.append(
                [_break_hyphen_at_end(normalise_text(line)) for line in _page_lines(textpage)]
            )
            textpage.close()
            page.close()
        title = (pdf.get_metadata_dict().get("Title") or "").strip() or None
    finally:
        pdf.close()
    return pages, title


def read_pdf(data: bytes) -> ExtractedDocument:
    """PDF: page text, then paragraphs rebuilt and page furniture removed."""
    if not data.lstrip()[:5].startswith(b"%PDF"):
        raise CorruptDocumentError("not a PDF (the file does not start with %PDF)")
    pages, title = pdf_pages(data)
    # A break hyphen left where no line follows (a block's last line) is a hyphen.
    blocks = [
        replace(block, text=block.text.replace(BREAK_HYPHEN, "-"))
        for block in lines_to_blocks(pages)
    ]
    if not blocks:
        raise EmptyDocumentError("the PDF has no extractable text (a scan? run OCR first)")
    return ExtractedDocument("pdf", blocks, title)


_READERS: dict[str, Callable[[bytes], ExtractedDocument]] = {
    ".txt": read_text,
    ".md": read_markdown,
    ".markdown": read_markdown,
    ".html": read_html,
    ".htm": read_html,
    ".pdf": read_pdf,
}
# Readers of zip-based formats, which are bounded in what they may unpack.
_ZIP_READERS: dict[str, Callable[[bytes, ZipLimits], ExtractedDocument]] = {".docx": read_docx}
