"""Tables of figures and facts read a row at a time, each row a sentence that says what it holds.

Read cell by cell, a table of figures falls apart: "Worcester", "12" and "30" are each too
short to be a passage, so the row is lost, and a cell's sentence loses the row it belongs to.
A data table becomes one block instead, a sentence per row, each value named by its column's
heading: "Area: Worcester; Lines identified: 12; Referrals: 30." The segmenter then groups the
rows into passages like any other sentences, so a short row ("Telephone: 01234 567890") stays
in a passage beside its neighbours. A table used for layout (a cell of prose, a table inside a
cell) is not a data table: its cells are read as paragraphs.

Merged cells are spread over the columns and rows they cover before anything is read (see
`Cell.spanned`), so that a value always sits under its own heading; two heading rows (a group
heading over years, say) combine: "NRM referrals 2017".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.records import Block

# A cell longer than this is prose set out in a table (a case study box), not a value.
MAX_VALUE_WORDS = 30
# A heading cell longer than this is a row of values, not the table's headings.
MAX_HEADING_WORDS = 8
_LETTER = re.compile(r"[^\W\d_]")
_ENDS_A_SENTENCE = re.compile(r"[.!?]$")


@dataclass(frozen=True)
class Cell:
    """One cell's text, as it sits in the table's grid.

    `heading`: the document marks it as one (<th>, a DOCX header row). `spanned`: a copy of a
    merged cell in another column or row it covers.
    """

    text: str
    heading: bool = False
    spanned: bool = False


def is_data_table(rows: Sequence[Sequence[Cell]]) -> bool:
    """Whether the rows are a table of values: two different values in a row, no cell of prose.

    One cell merged over the whole table is a box, not a table.
    """
    return any(len({c.text for c in row if c.text}) >= 2 for row in rows) and all(
        len(cell.text.split()) <= MAX_VALUE_WORDS for row in rows for cell in row
    )


def table_blocks(rows: Sequence[Sequence[Cell]], caption: str = "") -> list[Block]:
    """A data table as one block: its caption, then a sentence per row naming each value.

    The headings are the leading rows the document marks as headings; else a first row of
    short labels in a table of three columns or more (and the row under it too when the first
    holds a merged cell over several columns). A two-column table without headings is read as
    labels and values ("Name: Jordan"), a one-column table cell by cell.
    """
    rows = [list(row) for row in rows if any(cell.text for cell in row)]
    if not rows:
        return [Block("table", caption)] if caption else []
    count = _heading_rows(rows)
    headings = _combined(rows[:count]) if count else None
    sentences = [caption] if caption else []
    for row in rows[count:] if count else rows:
        text = _row_text(row, headings)
        if text:
            sentences.append(text)
    return [Block("table", " ".join(_closed(s) for s in sentences))] if sentences else []


def _heading_rows(rows: list[list[Cell]]) -> int:
    """How many leading rows are headings (0: none)."""
    marked = 0
    while marked < len(rows) - 1 and all(cell.heading for cell in rows[marked]):
        marked += 1
    if marked:
        return marked
    if len(rows) < 2 or not _labels(rows[0]):
        return 0
    merged_over_columns = any(cell.spanned for cell in rows[0])
    if merged_over_columns and len(rows) >= 3 and _labels(rows[1], allow_figures=True):
        return 2  # a group heading over its own sub-headings (years, say)
    distinct = len({cell.text.lower() for cell in rows[0]}) == len(rows[0])
    return 1 if len(rows[0]) >= 3 and (distinct or merged_over_columns) else 0


def _labels(row: Sequence[Cell], allow_figures: bool = False) -> bool:
    """Whether every filled cell is a short label (a heading), and most cells are filled."""
    filled = [cell.text for cell in row if cell.text]
    return len(filled) * 2 > len(row) and all(
        (allow_figures or _LETTER.search(text))
        and len(text.split()) <= MAX_HEADING_WORDS
        and not _ENDS_A_SENTENCE.search(text)
        for text in filled
    )


def _combined(rows: Sequence[Sequence[Cell]]) -> list[str]:
    """One heading per column from the heading rows, top down, each text once."""
    width = max(len(row) for row in rows)
    columns = [[row[c].text for row in rows if c < len(row) and row[c].text] for c in range(width)]
    return [" ".join(dict.fromkeys(texts)) for texts in columns]


def _row_text(row: Sequence[Cell], headings: Sequence[str] | None) -> str:
    # A merged cell's copies say its value once: "Kent Police" over two rows is named twice
    # (once a row), but over two columns once in the row.
    values = [
        "" if cell.spanned and index > 0 and row[index - 1].text == cell.text else cell.text
        for index, cell in enumerate(row)
    ]
    if headings is not None:
        parts = []
        for index, value in enumerate(values):
            if not value:
                continue
            heading = headings[index] if index < len(headings) else ""
            parts.append(f"{heading}: {value}" if heading and heading != value else value)
        return _joined(parts)
    filled = [value for value in values if value]
    if len(values) == 2 and len(filled) == 2 and _a_label(filled[0]):
        label, value = filled
        return f"{label} {value}" if label.endswith(":") else f"{label}: {value}"
    return _joined(filled)


def _joined(parts: Sequence[str]) -> str:
    """Values joined by semicolons, or by a space after one that ends a sentence."""
    text = ""
    for part in parts:
        text += (" " if _ENDS_A_SENTENCE.search(text) else "; ") + part if text else part
    return text


def _a_label(text: str) -> bool:
    """A short field name ("Date of birth", "Allocated worker:"), not a value or a sentence."""
    return (
        len(text.split()) <= MAX_HEADING_WORDS // 2
        and _LETTER.search(text) is not None
        and not _ENDS_A_SENTENCE.search(text)
    )


def _closed(sentence: str) -> str:
    """The sentence with a full stop, unless it ends in one already (or ! or ?)."""
    return sentence if _ENDS_A_SENTENCE.search(sentence) else sentence + "."
