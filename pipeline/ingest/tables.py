"""Tables of figures and facts read a row at a time, each row one block that says what it holds.

Read cell by cell, a table of figures falls apart: "Worcester", "12" and "30" are each too
short to be a passage, so the row is lost, and a cell's sentence loses the row it belongs to.
A data table's row is one paragraph instead, each value with its column's heading:
"Area: Worcester; Lines identified: 12; Referrals: 30". A table used for layout (long text, a
cell of several paragraphs, a table inside a cell) is not a data table: its cells are read as
paragraphs, as before.
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
    """One cell's text; `heading` when the document marks it as one (<th>, a header row)."""

    text: str
    heading: bool = False


def is_data_table(rows: Sequence[Sequence[Cell]]) -> bool:
    """Whether the rows are a table of values: two columns or more, and no cell of prose."""
    return any(len(row) >= 2 for row in rows) and all(
        len(cell.text.split()) <= MAX_VALUE_WORDS for row in rows for cell in row
    )


def table_blocks(rows: Sequence[Sequence[Cell]]) -> list[Block]:
    """The paragraphs of a data table: one per row, each value named by its column's heading.

    The first row gives the headings when the document marks it so, or when a table of three
    columns or more opens with short labels. A two-column table without headings is read as
    labels and values ("Name: Jordan"), a one-column table cell by cell.
    """
    rows = [list(row) for row in rows if any(cell.text for cell in row)]
    if not rows:
        return []
    headings: list[str] | None = None
    if len(rows) >= 2 and _opens_with_headings(rows[0]):
        headings = [cell.text for cell in rows[0]]
        rows = rows[1:]
    blocks = []
    for row in rows:
        text = _row_text(row, headings)
        if text:
            blocks.append(Block("paragraph", text))
    return blocks


def _opens_with_headings(row: Sequence[Cell]) -> bool:
    if all(cell.heading for cell in row) and any(cell.text for cell in row):
        return True
    return (
        len(row) >= 3
        and all(
            cell.text
            and _LETTER.search(cell.text)
            and len(cell.text.split()) <= MAX_HEADING_WORDS
            and not _ENDS_A_SENTENCE.search(cell.text)
            for cell in row
        )
        and len({cell.text.lower() for cell in row}) == len(row)
    )


def _row_text(row: Sequence[Cell], headings: Sequence[str] | None) -> str:
    values = [cell.text for cell in row]
    if headings is not None:
        parts = []
        for index, value in enumerate(values):
            if not value:
                continue
            heading = headings[index] if index < len(headings) else ""
            parts.append(f"{heading}: {value}" if heading and heading != value else value)
        return "; ".join(parts)
    filled = [value for value in values if value]
    if len(values) == 2 and len(filled) == 2 and _a_label(filled[0]):
        label, value = filled
        return f"{label} {value}" if label.endswith(":") else f"{label}: {value}"
    return "; ".join(filled)


def _a_label(text: str) -> bool:
    """A short field name ("Date of birth", "Allocated worker:"), not a value or a sentence."""
    return (
        len(text.split()) <= MAX_HEADING_WORDS // 2
        and _LETTER.search(text) is not None
        and not _ENDS_A_SENTENCE.search(text)
    )
