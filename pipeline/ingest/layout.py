"""Rebuilding paragraphs from hard-wrapped text (PDF extractions, plain-text exports).

PDF text arrives as lines: wrapped mid-sentence, often double-spaced, with page numbers and running
headers between them, bullets as odd glyphs. This module turns pages of lines back into blocks
(headings, paragraphs, bullets) without inventing text: every character of a block comes from the
lines, only line breaks and artefact lines are dropped.
"""

from __future__ import annotations

import itertools
import re
import statistics
from collections import Counter
from dataclasses import dataclass

from pipeline.ingest.text import collapse_whitespace
from pipeline.passages.transcripts import speaker_label
from pipeline.records import Block

# pdfium's mark for a hyphen that breaks a word at a line's end (PDF text has no other way to
# tell it from a hyphen that belongs to the word); PDF lines keep it at their end for _join.
BREAK_HYPHEN = "\x02"
_PAGE_NUMBER = re.compile(
    r"^(?:page\s+)?[-–—]?\s*\d{1,4}\s*[-–—]?(?:\s*(?:of|/)\s*\d{1,4})?$", re.IGNORECASE
)
_BULLET = re.compile(
    r"^(?P<marker>[•●▪◦■□➢➤‣∙·*o\-–]|\d{1,2}[.)]|\([a-z0-9]{1,4}\))\s+(?P<rest>\S.*)$"
)
_NUMBERED_HEADING = re.compile(
    r"^(?:\d{1,2}(?:\.\d{1,2})*\.?|\((?:[ivxlc]{1,5}|[a-z])\)|[ivxlc]{1,5}\.|[A-Z]\.)\s*(?P<rest>\S.*)$"
)
_EXPLICIT_HEADING = re.compile(
    r"^(?:interview|session|part|section|focus group|appendix|annex)\s+[\dA-Z]{1,3}\b.*$",
    re.IGNORECASE,
)
_TERMINAL = (".", "?", "!", '"', "”", "’", "'", ":", ";")


@dataclass(frozen=True)
class _Line:
    text: str
    gap: int  # blank lines before it (a page break counts as a large gap)
    page_start: bool


def _is_page_number(line: str) -> bool:
    return bool(_PAGE_NUMBER.match(line))


def _running_lines(pages: list[list[str]]) -> set[str]:
    """Short lines repeated at the top or the bottom of most pages (headers, footers).

    Two pages are enough when the line is on both: a two-page briefing has running headers too.
    """
    if len(pages) < 2:
        return set()
    tops: Counter[str] = Counter()
    bottoms: Counter[str] = Counter()
    for lines in pages:
        content = [line.strip() for line in lines if line.strip()]
        depth = 2 if len(content) > 4 else 1
        tops.update({_shape(line) for line in content[:depth] if len(line) <= 80})
        bottoms.update({_shape(line) for line in content[-depth:] if len(line) <= 80})
    needed = 2 if len(pages) == 2 else max(3, len(pages) // 2)
    return {
        shape
        for shape, n in (tops + bottoms).items()
        if tops[shape] >= needed or bottoms[shape] >= needed
    }


def _shape(line: str) -> str:
    return re.sub(r"\d+", "#", collapse_whitespace(line)).lower()


def _lines(pages: list[list[str]]) -> list[_Line]:
    running = _running_lines(pages)
    out: list[_Line] = []
    gap = 0
    for page_no, lines in enumerate(pages):
        if page_no:
            gap += 3
        first_on_page = True
        for raw in lines:
            line = raw.strip()
            if not line:
                gap += 1
                continue
            if _is_page_number(line) or (running and _shape(line) in running):
                continue
            out.append(_Line(line, gap, first_on_page and page_no > 0))
            first_on_page = False
            gap = 0
    return out


def _is_enumerator(marker: str) -> bool:
    """'1.', '(ii)' and the like, which may number a heading; glyph bullets never do."""
    return marker[0].isdigit() or marker.startswith("(")


def _ends_sentence(line: str) -> bool:
    return line.rstrip().endswith(_TERMINAL)


def _is_heading(line: str, typical: float) -> bool:
    if len(line) > 100 or len(line.split()) > 13 or line.endswith((".", ",", ";")):
        return False
    if _EXPLICIT_HEADING.match(line):
        return True
    numbered = _NUMBERED_HEADING.match(line)
    if numbered:
        rest = numbered["rest"]
        return rest[:1].isupper() and len(rest.split()) <= 12 and not rest.endswith((":",))
    if speaker_label(line):
        return False
    return (
        line[:1].isupper()
        and not line.endswith(":")
        and len(line) < 0.6 * typical
        and len(line.split()) <= 8
    )


def lines_to_blocks(pages: list[list[str]]) -> list[Block]:
    """Turn pages of raw lines into heading, paragraph and bullet blocks."""
    lines = _lines(pages)
    if not lines:
        return []
    lengths = [len(line.text) for line in lines]
    typical = statistics.quantiles(lengths, n=10)[-1] if len(lengths) > 1 else float(lengths[0])
    gaps = [line.gap for line in lines[1:]]
    base_gap = statistics.median(gaps) if gaps else 0
    # Blank lines between all lines mean double spacing only where lines are wrapped mid-
    # sentence (PDF text); between whole paragraphs they are ordinary paragraph breaks.
    pairs = list(itertools.pairwise(lines))
    mid_sentence = sum(
        1 for a, b in pairs if not _ends_sentence(a.text) and b.text[:1].islower()
    ) / max(len(pairs), 1)
    if mid_sentence < 0.2:
        base_gap = 0
    wrapped = typical >= 50

    blocks: list[Block] = []
    current: list[str] = []
    current_kind = "paragraph"
    current_prefix = ""
    previous: _Line | None = None

    def flush() -> None:
        nonlocal current
        if current:
            text = _join(current)
            prefix = current_prefix if current_kind == "bullet" else ""
            blocks.append(Block(current_kind, text, prefix=prefix))  # type: ignore[arg-type]
        current = []

    for line in lines:
        text = line.text
        continues = (
            previous is not None
            and not _ends_sentence(previous.text)
            and text[:1].islower()
            and bool(current)
        )
        gap_break = line.gap > base_gap if base_gap else line.gap >= 1
        short_end = (
            previous is not None
            and wrapped
            and _ends_sentence(previous.text)
            and len(previous.text) < 0.75 * typical
        )
        # Across a page break with no other clue, a finished sentence followed by a capital
        # more often starts a paragraph than continues one; splitting costs less than merging.
        page_break = (
            line.page_start
            and previous is not None
            and _ends_sentence(previous.text)
            and text[:1].isupper()
        )
        new_block = previous is None or gap_break or short_end or page_break or not current
        bullet = _BULLET.match(text)
        if continues and not bullet:
            current.append(text)
        elif bullet and not (_is_enumerator(bullet["marker"]) and _is_heading(text, typical)):
            flush()
            current_kind = "bullet"
            marker = bullet["marker"]
            current_prefix = f"{marker} " if _is_enumerator(marker) else "• "
            current = [bullet["rest"]]
        elif (new_block or previous is None or _ends_sentence(previous.text)) and _is_heading(
            text, typical
        ):
            flush()
            blocks.append(Block("heading", collapse_whitespace(text)))
            current_kind = "paragraph"
        elif new_block or speaker_label(text):
            flush()
            current_kind = "paragraph"
            current = [text]
        else:
            current.append(text)
        previous = line
    flush()
    return blocks


def _join(lines: list[str]) -> str:
    """Join wrapped lines: a trailing hyphen joins without a space, others with one.

    A hyphen the typesetter put at a line break (BREAK_HYPHEN, as pdfium reports it) is
    dropped: "recruit-" then "ment" is "recruitment"; a typed one stays ("under-" "reported").
    """
    out = lines[0]
    for line in lines[1:]:
        if out.endswith(BREAK_HYPHEN) and line[:1].isalpha():
            out = out[: -len(BREAK_HYPHEN)] + line
        elif out.endswith("-") and not out.endswith(" -") and line[:1].isalpha():
            out += line
        else:
            out += " " + line
    return collapse_whitespace(out)
