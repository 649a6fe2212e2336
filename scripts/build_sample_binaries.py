"""Build the sample corpus's DOCX and PDF files from their plain-text sources.

Every ``scripts/sample_sources/<stem>.txt`` becomes ``corpus/<stem>.docx`` or
``corpus/<stem>.pdf``: the extension is the one ``corpus/manifest.csv`` lists for that stem, and
the title, area and review date come from the same manifest row.

Source mark-up (one block per line):

* ``# Heading`` and ``## Subheading`` are headings;
* ``- item`` is a bullet;
* a line that starts with a speaker label (``P1:``, ``Facilitator:``, ``DS Patel (Police):``)
  starts its own paragraph;
* other consecutive non-blank lines are joined into one paragraph while they look hard-wrapped
  (a line shorter than 60 characters ends its paragraph, so header lines such as a date or a venue
  stay separate); blank lines always separate paragraphs.

PDFs use the DejaVu Sans TrueType font (curly quotes, dashes and the "•" bullet glyph are kept as
they are, since fpdf2's core fonts only cover latin-1). Install it with
``apt-get install fonts-dejavu-core`` or point ``SAMPLE_PDF_FONT_DIR`` at a folder holding
``DejaVuSans.ttf`` and ``DejaVuSans-Bold.ttf``. Both outputs are deterministic: fixed creation and
modification dates, fixed ZIP timestamps in DOCX files.

Run from the repository root (needs the ``dev`` extra: fpdf2 and python-docx)::

    python scripts/build_sample_binaries.py
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import re
import sys
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "scripts" / "sample_sources"
CORPUS = ROOT / "corpus"

AUTHOR = "Violence and Vulnerability Unit (sample)"
FIXED_TIME = datetime(2020, 1, 1, 12, 0, 0, tzinfo=UTC)
ZIP_TIME = (2020, 1, 1, 12, 0, 0)
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
FONT_DIRS = (
    "/usr/share/fonts/truetype/dejavu",
    "/usr/share/fonts/dejavu",
    "/usr/share/fonts/TTF",
    "/usr/share/fonts/truetype",
    "/usr/local/share/fonts",
    "/Library/Fonts",
)
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}

# Consecutive lines are joined only while they are at least this long (hard-wrapped prose).
WRAPPED_LINE = 60
# "P1:", "Q:", "Facilitator:", "YOT worker:", "DS Patel (Police):" at the start of a line.
SPEAKER = re.compile(
    r"^(?:[A-Z][\w'’.&/-]*|P\d{1,2})(?:[ \t]+(?:[\w'’.&/-]+|\([^)]{1,40}\))){0,5}[ \t]*:[ \t]+\S"
)


@dataclass(frozen=True)
class Entry:
    """One manifest row."""

    filename: str
    title: str
    area: str
    review_date: str

    @property
    def suffix(self) -> str:
        """The target file's extension, lower-case, with its dot."""
        return Path(self.filename).suffix.lower()

    @property
    def month_year(self) -> str:
        """The review date as 'June 2019'."""
        year, month = self.review_date.split("-")[:2]
        return f"{MONTHS[int(month) - 1]} {year}"


@dataclass(frozen=True)
class Block:
    """A heading (level 1 or 2), a bullet or a paragraph of source text."""

    kind: str  # "heading", "bullet" or "paragraph"
    text: str
    level: int = 0


def read_manifest(path: Path) -> dict[str, Entry]:
    """Manifest rows keyed by file stem.

    Args:
        path: The ``manifest.csv`` file.

    Returns:
        Each row's entry under its file name without the extension.
    """
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return {
        Path(row["path"]).stem: Entry(row["path"], row["title"], row["area"], row["review_date"])
        for row in rows
    }


def parse_source(text: str) -> list[Block]:
    """Split source text into headings, bullets and paragraphs.

    Args:
        text: The source file's text.

    Returns:
        The blocks in reading order.
    """
    blocks: list[Block] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            blocks.append(Block("paragraph", " ".join(pending)))
            pending.clear()

    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            flush()
        elif line.startswith("## "):
            flush()
            blocks.append(Block("heading", line[3:].strip(), level=2))
        elif line.startswith("# "):
            flush()
            blocks.append(Block("heading", line[2:].strip(), level=1))
        elif line.startswith("- "):
            flush()
            blocks.append(Block("bullet", line[2:].strip()))
        else:
            if SPEAKER.match(line):
                flush()
            pending.append(line)
            if len(line) < WRAPPED_LINE:
                flush()  # a short line ends its paragraph: header lines stay separate
    flush()
    return blocks


# --- DOCX -----------------------------------------------------------------------------------


def build_docx(blocks: list[Block], entry: Entry) -> bytes:
    """Render blocks as a DOCX file with Word's built-in styles.

    Args:
        blocks: The document's blocks.
        entry: Its manifest row (title for the core properties).

    Returns:
        The DOCX file's bytes, identical on every run.
    """
    import docx

    document = docx.Document()
    for block in blocks:
        if block.kind == "heading":
            document.add_heading(block.text, level=block.level)
        elif block.kind == "bullet":
            document.add_paragraph(block.text, style="List Bullet")
        else:
            document.add_paragraph(block.text)
    props = document.core_properties
    props.title = entry.title
    props.author = AUTHOR
    props.last_modified_by = AUTHOR
    props.created = FIXED_TIME.replace(tzinfo=None)
    props.modified = FIXED_TIME.replace(tzinfo=None)
    props.revision = 1
    buffer = io.BytesIO()
    document.save(buffer)
    return _fixed_zip_times(buffer.getvalue())


def _fixed_zip_times(data: bytes) -> bytes:
    """Rewrite a ZIP archive with fixed member timestamps (python-docx stamps the time now)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o644 << 16
            target.writestr(member, source.read(info.filename))
    return out.getvalue()


# --- PDF ------------------------------------------------------------------------------------


def find_font_dir() -> Path:
    """The folder holding DejaVu Sans regular and bold.

    Returns:
        ``SAMPLE_PDF_FONT_DIR`` if set, else the first standard font folder with both files.

    Raises:
        SystemExit: When no folder has both fonts.
    """
    override = os.environ.get("SAMPLE_PDF_FONT_DIR")
    candidates = [Path(override)] if override else [Path(d) for d in FONT_DIRS]
    for folder in candidates:
        if all((folder / name).is_file() for name in FONT_FILES.values()):
            return folder
    wanted = " and ".join(FONT_FILES.values())
    raise SystemExit(
        f"error: PDF output needs the Unicode TrueType fonts {wanted}, which were not found in "
        f"{', '.join(str(c) for c in candidates)}. Install them (Debian/Ubuntu: "
        "`apt-get install fonts-dejavu-core`) or set SAMPLE_PDF_FONT_DIR to their folder."
    )


def build_pdf(blocks: list[Block], entry: Entry, font_dir: Path) -> bytes:
    """Render blocks as an A4 report with a running header and page numbers.

    Args:
        blocks: The document's blocks; the first level-1 heading is set as the title.
        entry: Its manifest row (title, area and date for the metadata and header).
        font_dir: Folder with the DejaVu Sans fonts.

    Returns:
        The PDF file's bytes, identical on every run.
    """
    from fpdf import FPDF
    from fpdf.enums import Align, XPos, YPos

    header_text = f"Locality review — {entry.area} — {entry.month_year}"

    class ReportPDF(FPDF):
        def header(self) -> None:
            self.set_font("DejaVu", "", 9)
            self.set_text_color(90, 90, 90)
            self.set_y(12)
            self.cell(0, 5, header_text, align=Align.R, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.set_draw_color(160, 160, 160)
            self.line(self.l_margin, 18.5, self.w - self.r_margin, 18.5)
            self.set_text_color(0, 0, 0)
            self.set_y(self.t_margin)

        def footer(self) -> None:
            self.set_y(-16)
            self.set_font("DejaVu", "", 9)
            self.set_text_color(90, 90, 90)
            self.cell(0, 5, f"Page {self.page_no()} of {{nb}}", align=Align.C)
            self.set_text_color(0, 0, 0)

    pdf = ReportPDF(orientation="portrait", unit="mm", format="A4")
    for style, name in FONT_FILES.items():
        pdf.add_font("DejaVu", style, str(font_dir / name))
    pdf.set_margins(left=25, top=28, right=25)
    pdf.set_auto_page_break(auto=True, margin=25)
    pdf.set_creation_date(FIXED_TIME)
    pdf.set_title(entry.title)
    pdf.set_author(AUTHOR)
    pdf.set_subject(f"Locality review, {entry.area}, {entry.month_year}")
    pdf.set_creator("scripts/build_sample_binaries.py")
    pdf.add_page()

    body = 11.0
    leading = 6.2
    width = pdf.w - pdf.l_margin - pdf.r_margin
    title_done = False
    for block in blocks:
        if block.kind == "heading":
            size = 12.5 if block.level == 1 else 11.5
            if not title_done and block.level == 1:
                size, title_done = 17.0, True
            pdf.set_font("DejaVu", "B", size)
            pdf.ln(3 if pdf.get_y() <= pdf.t_margin + 1 else 5)
            if pdf.will_page_break(leading * 3):
                pdf.add_page()
            pdf.multi_cell(width, size * 0.6, block.text, align=Align.L)
            pdf.ln(2.5)
        elif block.kind == "bullet":
            pdf.set_font("DejaVu", "", body)
            pdf.set_x(pdf.l_margin + 3)
            pdf.cell(6, leading, "•")
            pdf.multi_cell(
                width - 9, leading, block.text, align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT
            )
            pdf.ln(1.5)
        else:
            pdf.set_font("DejaVu", "", body)
            pdf.multi_cell(width, leading, block.text, align=Align.L)
            pdf.ln(3.5)
    return bytes(pdf.output())


# --- Driver ---------------------------------------------------------------------------------


def build(sources: Path, corpus: Path) -> list[Path]:
    """Build every source in ``sources`` into ``corpus``.

    Args:
        sources: Folder of ``<stem>.txt`` sources.
        corpus: Folder holding ``manifest.csv``; outputs are written here.

    Returns:
        The files written, in name order.

    Raises:
        SystemExit: When a source has no manifest row or its row is not a DOCX or PDF file.
    """
    manifest = read_manifest(corpus / "manifest.csv")
    written: list[Path] = []
    font_dir: Path | None = None
    for source in sorted(sources.glob("*.txt")):
        entry = manifest.get(source.stem)
        if entry is None:
            raise SystemExit(f"error: {source.name} has no row in {corpus / 'manifest.csv'}")
        blocks = parse_source(source.read_text(encoding="utf-8"))
        if entry.suffix == ".docx":
            data = build_docx(blocks, entry)
        elif entry.suffix == ".pdf":
            font_dir = font_dir or find_font_dir()
            data = build_pdf(blocks, entry, font_dir)
        else:
            raise SystemExit(
                f"error: the manifest lists {entry.filename} for {source.name}; "
                "only .docx and .pdf files are built from sources"
            )
        target = corpus / entry.filename
        target.write_bytes(data)
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point.

    Args:
        argv: Arguments (default: ``sys.argv[1:]``).

    Returns:
        The exit status.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=Path, default=SOURCES, help="folder of .txt sources")
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="folder with manifest.csv")
    args = parser.parse_args(argv)
    for path in build(args.sources, args.corpus):
        print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
