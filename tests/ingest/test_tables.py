from __future__ import annotations

import io
from pathlib import Path

import docx
import pytest
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from hypothesis import given
from hypothesis import strategies as st

from pipeline.ingest.readers import extract_document
from pipeline.ingest.tables import MAX_VALUE_WORDS, Cell, is_data_table, table_blocks

FIGURES = [
    ["Area", "Lines identified", "Referrals"],
    ["Worcester", "12", "30"],
    ["Rhyl", "4", "9"],
]
ROWS_SAID = [
    "Area: Worcester; Lines identified: 12; Referrals: 30",
    "Area: Rhyl; Lines identified: 4; Referrals: 9",
]


def cells(rows: list[list[str]], heading_row: bool = False) -> list[list[Cell]]:
    return [[Cell(text, heading_row and i == 0) for text in row] for i, row in enumerate(rows)]


def test_each_row_of_figures_is_one_paragraph_naming_its_columns() -> None:
    assert [b.text for b in table_blocks(cells(FIGURES))] == ROWS_SAID


def test_a_two_column_form_reads_as_labels_and_values() -> None:
    form = [["Allocated worker:", "Team Around the Family"], ["Date of referral", "3 March"]]
    assert [b.text for b in table_blocks(cells(form))] == [
        "Allocated worker: Team Around the Family",
        "Date of referral: 3 March",
    ]


def test_marked_headings_name_the_values_of_a_two_column_table() -> None:
    rows = cells([["Agency", "Concern"], ["Police", "Cuckooing"]], heading_row=True)
    assert [b.text for b in table_blocks(rows)] == ["Agency: Police; Concern: Cuckooing"]


def test_a_first_row_of_figures_is_not_taken_for_headings() -> None:
    rows = cells([["2019", "12", "30"], ["2020", "14", "41"]])
    assert [b.text for b in table_blocks(rows)] == ["2019; 12; 30", "2020; 14; 41"]


def test_empty_cells_are_left_out_and_empty_rows_dropped() -> None:
    rows = cells([*FIGURES[:2], ["", "", ""], ["Rhyl", "", "9"]])
    assert [b.text for b in table_blocks(rows)] == [ROWS_SAID[0], "Area: Rhyl; Referrals: 9"]


def test_a_cell_of_prose_makes_the_table_layout_not_data() -> None:
    prose = " ".join(["word"] * (MAX_VALUE_WORDS + 1))
    assert not is_data_table(cells([["Case study", prose]]))
    assert not is_data_table(cells([["one column"], ["only"]]))
    assert is_data_table(cells(FIGURES))


@given(
    st.lists(
        st.lists(
            st.text(st.characters(exclude_categories=["Cs"]), max_size=12), min_size=1, max_size=4
        ),
        max_size=6,
    )
)
def test_every_value_of_a_table_is_kept(rows: list[list[str]]) -> None:
    # Whatever the cells hold, each value reaches some paragraph of the table; a first row
    # taken for headings reaches it before its column's values (none, none said).
    table = [[Cell(" ".join(text.split())) for text in row] for row in rows]
    said = " ".join(b.text for b in table_blocks(table))
    for row in table[1:]:
        assert all(cell.text in said for cell in row)
    for column, cell in enumerate(table[0] if table else []):
        values = [row[column].text for row in table[1:] if column < len(row)]
        assert cell.text in said or not any(values)


def html_with_tables() -> bytes:
    return b"""<html><body><h1>Locality review</h1>
<table><thead><tr><th>Area</th><th>Lines identified</th><th>Referrals</th></tr></thead>
<tbody><tr><td>Worcester</td><td>12</td><td>30</td></tr>
<tr><td>Rhyl</td><td>4</td><td>9</td></tr></tbody></table>
<table><tr><td><p>First paragraph of a case study box.</p><p>Its second paragraph.</p></td>
<td>Side note</td></tr></table>
</body></html>"""


def test_an_html_data_table_is_read_a_row_at_a_time() -> None:
    blocks = extract_document(Path("r.html"), html_with_tables()).blocks
    assert [b.text for b in blocks if b.kind == "paragraph"][:2] == ROWS_SAID


def test_an_html_table_of_prose_is_read_cell_by_cell() -> None:
    blocks = extract_document(Path("r.html"), html_with_tables()).blocks
    assert [b.text for b in blocks][-3:] == [
        "First paragraph of a case study box.",
        "Its second paragraph.",
        "Side note",
    ]


def docx_with_table(rows: list[list[str]], header: bool) -> bytes:
    document = docx.Document()
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    for i, row in enumerate(rows):
        for j, text in enumerate(row):
            table.cell(i, j).text = text
    if header:
        properties = table.rows[0]._tr.get_or_add_trPr()
        properties.append(OxmlElement("w:tblHeader"))
        assert properties.find(qn("w:tblHeader")) is not None
    document.add_paragraph("After the table.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("header", [True, False])
def test_a_docx_data_table_is_read_a_row_at_a_time(header: bool) -> None:
    blocks = extract_document(Path("r.docx"), docx_with_table(FIGURES, header)).blocks
    assert [b.text for b in blocks] == [*ROWS_SAID, "After the table."]


def test_a_docx_header_row_names_a_two_column_table() -> None:
    rows = [["Agency", "Concern"], ["Police", "Cuckooing at the flats"]]
    blocks = extract_document(Path("r.docx"), docx_with_table(rows, header=True)).blocks
    assert blocks[0].text == "Agency: Police; Concern: Cuckooing at the flats"


def test_a_markdown_table_is_read_a_row_at_a_time() -> None:
    text = (
        "# Review\n\nIntro.\n\n| Area | Lines identified | Referrals |\n|---|:---:|---:|\n"
        "| Worcester | 12 | 30 |\n| **Rhyl** | 4 | 9 |\n\nAfter the table.\n"
    )
    blocks = extract_document(Path("r.md"), text.encode()).blocks
    assert [b.text for b in blocks] == ["Review", "Intro.", *ROWS_SAID, "After the table."]


def test_a_bar_escaped_in_a_markdown_cell_stays_in_it() -> None:
    text = "| Term | Meaning |\n|---|---|\n| OT | out \\| there |\n"
    blocks = extract_document(Path("r.md"), text.encode()).blocks
    assert [b.text for b in blocks] == ["Term: OT; Meaning: out | there"]


def test_a_table_row_becomes_a_passage_that_finds_its_place(ingester, tmp_path: Path) -> None:
    # Read cell by cell, "Worcester", "12" and "30" were each too short to be a passage: the
    # row was lost, and Worcester's filter never found it.
    path = tmp_path / "figures.html"
    path.write_bytes(html_with_tables())
    assert ingester.ingest([path]).added == 1
    rows = ingester.con.execute("SELECT text, places FROM passages ORDER BY ordinal").fetchall()
    by_text = {text: list(places) for text, places in rows}
    assert "Worcester" in by_text[ROWS_SAID[0]]
    assert ROWS_SAID[1] in by_text
