"""Reading files into blocks: one function per format, chosen by extension.

PDF text comes from pypdfium2: in `bench/pdf_readers.py` all four candidates recovered the same
words, and pypdfium2 was 7x faster than pypdf and 25x faster than pdfminer.six; only PyMuPDF was
faster (by ~25%), and its AGPL licence would bind every user of Findings. pypdfium2 also gives
line positions, which reveal the paragraph breaks that plain extracted text hides.
"""

from __future__ import annotations

import itertools
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import yaml

from pipeline.errors import (
    CorruptDocumentError,
    EmptyDocumentError,
    FileTooLargeError,
    UnreadableFileError,
    UnsupportedFormatError,
)
from pipeline.ingest.layout import lines_to_blocks
from pipeline.ingest.text import collapse_whitespace, decode_bytes, normalise_text
from pipeline.passages.transcripts import speaker_label
from pipeline.records import Block, ExtractedDocument

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
    if suffix not in _READERS:
        supported = ", ".join(SUPPORTED_SUFFIXES)
        shown = suffix or "(no extension)"
        raise UnsupportedFormatError(f"unsupported file type {shown} (Findings reads {supported})")


def extract_document(path: Path, data: bytes) -> ExtractedDocument:
    """Extract blocks from a file's bytes; the reader is chosen by the file's extension."""
    check_supported(path)
    document = _READERS[path.suffix.lower()](data)
    blocks = [b for b in document.blocks if b.text.strip()]
    if not any(b.kind != "heading" for b in blocks):
        raise EmptyDocumentError("no text found in the file")
    return ExtractedDocument(document.format, blocks, document.title, document.front_matter)


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

    for raw in body.split("\n"):
        line = raw.strip()
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
_HTML_DROP = ("script", "style", "nav", "footer", "header", "aside", "noscript", "form", "template")


def read_html(data: bytes) -> ExtractedDocument:
    """HTML: headings, paragraphs and list items in document order; navigation is dropped."""
    from selectolax.lexbor import LexborHTMLParser as HTMLParser

    tree = HTMLParser(normalise_text(decode_bytes(data)))
    title_node = tree.css_first("title")
    title = collapse_whitespace(title_node.text()) if title_node else None
    for tag in _HTML_DROP:
        for node in tree.css(tag):
            node.decompose()
    root = tree.body or tree.root
    if root is None:
        raise CorruptDocumentError("no HTML body found")
    blocks: list[Block] = []
    selector = ",".join(_HTML_BLOCKS)
    for node in root.css(selector):
        if len(node.css(selector)) > 1:
            continue  # a container (li holding p; css() includes the node): read its inner blocks
        text = collapse_whitespace(node.text(deep=True, separator=" "))
        if not text:
            continue
        if node.tag.startswith("h"):
            blocks.append(Block("heading", text))
            title = title or text
        elif node.tag == "li":
            blocks.append(Block("bullet", text, prefix="• "))
        else:
            blocks.append(Block("paragraph", text))
    if not blocks:
        fallback = collapse_whitespace(root.text(separator=" "))
        if fallback:
            blocks.append(Block("paragraph", fallback))
    return ExtractedDocument("html", blocks, title)


# --- DOCX -----------------------------------------------------------------------------------


def read_docx(data: bytes) -> ExtractedDocument:
    """DOCX: paragraphs with their styles (headings, lists) and table cells, in order."""
    import io

    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise CorruptDocumentError(
            f"not a valid DOCX file ({exc.__class__.__name__}: {exc})"
        ) from exc
    blocks: list[Block] = []

    def add_paragraph(paragraph: Paragraph) -> None:
        text = collapse_whitespace(normalise_text(paragraph.text))
        if not text:
            return
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        numbered = paragraph._p.pPr is not None and paragraph._p.pPr.numPr is not None
        if style.startswith(("Heading", "Title")):
            blocks.append(Block("heading", text))
        elif style.startswith("List") or numbered:
            blocks.append(Block("bullet", text, prefix="• "))
        else:
            blocks.append(Block("paragraph", text))

    for item in document.iter_inner_content():
        if isinstance(item, Table):
            for row in item.rows:
                for cell in row.cells:
                    for paragraph in cell.paragraphs:
                        add_paragraph(paragraph)
        else:
            add_paragraph(item)
    title = collapse_whitespace(document.core_properties.title or "") or None
    return ExtractedDocument("docx", blocks, title)


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
            pages.append([normalise_text(line) for line in _page_lines(textpage)])
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
    blocks = lines_to_blocks(pages)
    if not blocks:
        raise EmptyDocumentError("the PDF has no extractable text (a scan? run OCR first)")
    return ExtractedDocument("pdf", blocks, title)


_READERS: dict[str, Callable[[bytes], ExtractedDocument]] = {
    ".txt": read_text,
    ".md": read_markdown,
    ".markdown": read_markdown,
    ".html": read_html,
    ".htm": read_html,
    ".docx": read_docx,
    ".pdf": read_pdf,
}
