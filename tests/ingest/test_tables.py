from __future__ import annotations

import io
from pathlib import Path

import docx
import pytest
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from hypothesis import example, given
from hypothesis import strategies as st

from pipeline.ingest.readers import extract_document
from pipeline.ingest.tables import MAX_VALUE_WORDS, Cell, is_data_table, table_blocks

FIGURES = [
    ["Area", "Lines identified", "Referrals"],
    ["Worcester", "12", "30"],
    ["Rhyl", "4", "9"],
]
ROWS_SAID = [
    "Area: Worcester; Lines identified: 12; Referrals: 30.",
    "Area: Rhyl; Lines identified: 4; Referrals: 9.",
]
TABLE_SAID = " ".join(ROWS_SAID)


def cells(rows: list[list[str]], heading_row: bool = False) -> list[list[Cell]]:
    return [[Cell(text, heading_row and i == 0) for text in row] for i, row in enumerate(rows)]


def said(rows: list[list[Cell]]) -> list[str]:
    """The sentences a table is read as (one block, a sentence per row)."""
    blocks = table_blocks(rows)
    assert [b.kind for b in blocks] == ["table"] * len(blocks) and len(blocks) <= 1
    return [s if s.endswith(".") else s + "." for s in blocks[0].text.split(". ")] if blocks else []


def test_each_row_of_figures_is_one_sentence_naming_its_columns() -> None:
    assert said(cells(FIGURES)) == ROWS_SAID


def test_a_two_column_form_reads_as_labels_and_values() -> None:
    form = [["Allocated worker:", "Team Around the Family"], ["Date of referral", "3 March"]]
    assert said(cells(form)) == [
        "Allocated worker: Team Around the Family.",
        "Date of referral: 3 March.",
    ]


def test_marked_headings_name_the_values_of_a_two_column_table() -> None:
    rows = cells([["Agency", "Concern"], ["Police", "Cuckooing"]], heading_row=True)
    assert said(rows) == ["Agency: Police; Concern: Cuckooing."]


def test_a_first_row_of_figures_is_not_taken_for_headings() -> None:
    rows = cells([["2019", "12", "30"], ["2020", "14", "41"]])
    assert said(rows) == ["2019; 12; 30.", "2020; 14; 41."]


def test_empty_cells_are_left_out_and_empty_rows_dropped() -> None:
    rows = cells([*FIGURES[:2], ["", "", ""], ["Rhyl", "", "9"]])
    assert said(rows) == [ROWS_SAID[0], "Area: Rhyl; Referrals: 9."]


def test_a_cell_of_prose_makes_the_table_layout_not_data() -> None:
    prose = " ".join(["word"] * (MAX_VALUE_WORDS + 1))
    assert not is_data_table(cells([["Case study", prose]]))
    assert not is_data_table(cells([["one column"], ["only"]]))
    assert not is_data_table(cells([["merged over all", "merged over all"]]))
    assert is_data_table(cells(FIGURES))


@example(rows=[[""], ["", "A", "B"], ["0"]])  # an empty first row, then headings
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
    table = [row for row in table if any(cell.text for cell in row)]  # empty rows say nothing
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
    assert [b.text for b in blocks if b.kind == "table"] == [
        TABLE_SAID,
        "First paragraph of a case study box. Its second paragraph. Side note.",
    ]


def test_an_html_table_of_prose_is_read_cell_by_cell() -> None:
    prose = " ".join(["The case study box runs on at length."] * 5)
    html = f"<table><tr><td><p>{prose}</p><p>Its second paragraph.</p></td><td>Note</td></tr>"
    page = f"<html><body>{html}</table></body></html>".encode()
    blocks = extract_document(Path("r.html"), page).blocks
    assert [(b.kind, b.text) for b in blocks] == [
        ("paragraph", prose),
        ("paragraph", "Its second paragraph."),
        ("paragraph", "Note"),
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
    assert [b.text for b in blocks] == [TABLE_SAID, "After the table."]


def test_a_docx_header_row_names_a_two_column_table() -> None:
    rows = [["Agency", "Concern"], ["Police", "Cuckooing at the flats"]]
    blocks = extract_document(Path("r.docx"), docx_with_table(rows, header=True)).blocks
    assert blocks[0].text == "Agency: Police; Concern: Cuckooing at the flats."


def test_a_markdown_table_is_read_a_row_at_a_time() -> None:
    text = (
        "# Review\n\nIntro.\n\n| Area | Lines identified | Referrals |\n|---|:---:|---:|\n"
        "| Worcester | 12 | 30 |\n| **Rhyl** | 4 | 9 |\n\nAfter the table.\n"
    )
    blocks = extract_document(Path("r.md"), text.encode()).blocks
    assert [b.text for b in blocks] == ["Review", "Intro.", TABLE_SAID, "After the table."]


def test_a_bar_escaped_in_a_markdown_cell_stays_in_it() -> None:
    text = "| Term | Meaning |\n|---|---|\n| OT | out \\| there |\n"
    blocks = extract_document(Path("r.md"), text.encode()).blocks
    assert [b.text for b in blocks] == ["Term: OT; Meaning: out | there."]


def test_a_table_row_becomes_a_passage_that_finds_its_place(ingester, tmp_path: Path) -> None:
    # Read cell by cell, "Worcester", "12" and "30" were each too short to be a passage: the
    # row was lost, and Worcester's filter never found it.
    path = tmp_path / "figures.html"
    path.write_bytes(html_with_tables())
    assert ingester.ingest([path]).added == 1
    rows = ingester.con.execute("SELECT text, places FROM passages ORDER BY ordinal").fetchall()
    passage = next((t, p) for t, p in rows if ROWS_SAID[0] in t)
    assert "Worcester" in passage[1]
    assert any(ROWS_SAID[1] in text for text, _ in rows)


def test_merged_html_headings_name_each_value_by_group_and_year() -> None:
    html = b"""<html><body><table><caption>Referrals by partner</caption>
<tr><th rowspan="2">Partner</th><th colspan="2">Referrals</th></tr>
<tr><th>2018</th><th>2019</th></tr>
<tr><td rowspan="2">Kent Police</td><td>14</td><td>22</td></tr>
<tr><td>3</td><td>5</td></tr></table></body></html>"""
    (table,) = extract_document(Path("r.html"), html).blocks
    assert table.text == (
        "Referrals by partner. Partner: Kent Police; Referrals 2018: 14; Referrals 2019: 22. "
        "Partner: Kent Police; Referrals 2018: 3; Referrals 2019: 5."
    )


def test_merged_docx_headings_name_each_value_by_group_and_year() -> None:
    document = docx.Document()
    table = document.add_table(rows=3, cols=4)
    table.cell(0, 0).text = "District"
    table.cell(0, 1).merge(table.cell(0, 2)).text = "NRM referrals"
    table.cell(0, 3).text = "Missing episodes"
    table.cell(0, 0).merge(table.cell(1, 0))
    table.cell(0, 3).merge(table.cell(1, 3))
    table.cell(1, 1).text, table.cell(1, 2).text = "2017", "2018"
    for column, value in enumerate(["Bromsgrove", "3", "8", "41"]):
        table.cell(2, column).text = value
    buffer = io.BytesIO()
    document.save(buffer)
    (block,) = extract_document(Path("r.docx"), buffer.getvalue()).blocks
    assert block.text == (
        "District: Bromsgrove; NRM referrals 2017: 3; NRM referrals 2018: 8; Missing episodes: 41."
    )


def test_a_table_makes_no_speakers_and_ends_the_turn_before_it(ingester, tmp_path: Path) -> None:
    # Rows such as "District: Chatham; ..." once read as speaker turns: a report with a table
    # was filed as a transcript, and the prose after the table was the last row's "speaker's".
    rows = "".join(
        f"<tr><td>{d}</td><td>{n}</td><td>{r}</td></tr>"
        for d, n, r in [("Chatham", 9, 21), ("Gillingham", 4, 8), ("Rochester", 2, 5)]
    )
    html = (
        "<html><body><p>YOT worker: the lines come in from London every week.</p>"
        "<table><tr><th>District</th><th>Lines identified</th><th>Referrals</th></tr>"
        f"{rows}</table><p>The figures above come from the police records.</p></body></html>"
    )
    path = tmp_path / "medway.html"
    path.write_text(html)
    assert ingester.ingest([path]).added == 1
    (doc_type,) = ingester.con.execute("SELECT doc_type FROM documents").fetchone()
    assert doc_type != "transcript"
    speakers = dict(ingester.con.execute("SELECT text, speaker FROM passages").fetchall())
    after = next(t for t in speakers if t.startswith("The figures above"))
    assert speakers[after] is None
    assert all(s is None for t, s in speakers.items() if "Lines identified" in t)


def test_a_short_row_stays_in_a_passage_beside_its_neighbours(ingester, tmp_path: Path) -> None:
    form = [
        ["Allocated worker", "Priya Shah, Team Around the Family"],
        ["Telephone", "01632 960123"],
        ["Next review", "3 March 2020 at the Civic Centre"],
    ]
    path = tmp_path / "form.docx"
    path.write_bytes(docx_with_table(form, header=False))
    assert ingester.ingest([path]).added == 1
    texts = [t for (t,) in ingester.con.execute("SELECT text FROM passages").fetchall()]
    assert any("Telephone: 01632 960123." in text for text in texts)


def test_markdown_fences_are_not_tables_and_bare_pipe_tables_are() -> None:
    text = (
        "```\n| Not | a |\n|---|---|\n| table | here |\n```\n\n"
        "Month | Arrests\n--- | ---\nJan | 5\nFeb | 7\n\nAbove: arrests by month.\n"
    )
    blocks = extract_document(Path("r.md"), text.encode()).blocks
    assert [b.kind for b in blocks if b.kind == "table"] == ["table"]
    assert "Month: Jan; Arrests: 5. Month: Feb; Arrests: 7." in [b.text for b in blocks]
    assert not any("table: here" in b.text for b in blocks)


def test_a_list_items_own_words_before_its_table_are_kept() -> None:
    html = (
        b"<html><body><ul><li>Data and intelligence sharing across partners"
        b"<table><tr><th>Partner</th><th>Action</th><th>Due</th></tr>"
        b"<tr><td>Children First</td><td>Weekly panel</td><td>May</td></tr></table>"
        b"</li></ul></body></html>"
    )
    blocks = extract_document(Path("r.html"), html).blocks
    assert [(b.kind, b.text) for b in blocks] == [
        ("bullet", "Data and intelligence sharing across partners"),
        ("table", "Partner: Children First; Action: Weekly panel; Due: May."),
    ]


def test_a_data_tables_passages_are_marked_and_the_prose_around_it_is_not(
    ingester, tmp_path: Path
) -> None:
    path = tmp_path / "figures.html"
    path.write_text(
        "<html><body><p>The partnership counted the lines it knew of in each area.</p>"
        "<table><tr><th>Area</th><th>Lines identified</th><th>Referrals</th></tr>"
        "<tr><td>Worcester</td><td>12</td><td>30</td></tr>"
        "<tr><td>Rhyl</td><td>4</td><td>9</td></tr></table></body></html>"
    )
    assert ingester.ingest([path]).added == 1
    marked = dict(ingester.con.execute("SELECT text, in_table FROM passages").fetchall())
    assert marked == {
        "The partnership counted the lines it knew of in each area.": False,
        TABLE_SAID: True,
    }
