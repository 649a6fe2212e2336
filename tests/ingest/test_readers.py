from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import docx
import pytest
from fpdf import FPDF

from pipeline.errors import CorruptDocumentError, EmptyDocumentError, UnsupportedFormatError
from pipeline.ingest.readers import extract_document

PARAGRAPH = (
    "Young people from the town are groomed with gifts of trainers and then told they owe a debt "
    "that they must work off by running drugs to coastal towns for older dealers from London."
)

SAYS = ["Schools agree.", "Police agree strongly.", "Housing officers see it weekly."]


def make_pdf(pages: int = 3) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.set_creation_date(dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    for number in range(1, pages + 1):
        pdf.add_page()
        pdf.set_font("Helvetica", size=9)
        pdf.cell(
            0, 8, "Locality review - Hastings - June 2019", align="C", new_x="LMARGIN", new_y="NEXT"
        )
        pdf.ln(4)
        pdf.set_font("Helvetica", style="B", size=12)
        pdf.multi_cell(0, 7, f"{number}. Section {number}", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", size=11)
        pdf.multi_cell(0, 6, f"{PARAGRAPH} {SAYS[number % 3]}", new_x="LMARGIN", new_y="NEXT")
        pdf.set_y(-15)
        pdf.set_font("Helvetica", size=9)
        pdf.cell(0, 8, str(number), align="C")
    return bytes(pdf.output())


def make_docx() -> bytes:
    document = docx.Document()
    document.core_properties.title = "Focus group: Great Yarmouth"
    document.add_heading("Participants", level=1)
    document.add_paragraph("P1: " + PARAGRAPH)
    document.add_paragraph("Information sharing between agencies is poor.", style="List Bullet")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_pdf_reader_rebuilds_paragraphs_and_drops_page_furniture() -> None:
    extracted = extract_document(Path("r.pdf"), make_pdf())
    texts = [b.text for b in extracted.blocks]
    assert extracted.format == "pdf"
    assert sum(PARAGRAPH in t for t in texts) == 3
    assert not any("Locality review" in t for t in texts)
    assert not any(t.strip().isdigit() for t in texts)
    assert [b.text for b in extracted.blocks if b.kind == "heading"][:2] == [
        "1. Section 1",
        "2. Section 2",
    ]


def test_pdf_reader_rejects_a_corrupt_file() -> None:
    with pytest.raises(CorruptDocumentError):
        extract_document(Path("bad.pdf"), b"%PDF-1.4\n garbage that is not a pdf")


def test_pdf_reader_rejects_a_truncated_file() -> None:
    data = make_pdf()
    with pytest.raises(CorruptDocumentError):
        extract_document(Path("cut.pdf"), data[: len(data) // 3])


def test_docx_reader_keeps_headings_lists_and_title() -> None:
    extracted = extract_document(Path("fg.docx"), make_docx())
    assert extracted.title == "Focus group: Great Yarmouth"
    assert [b.kind for b in extracted.blocks] == ["heading", "paragraph", "bullet"]
    assert extracted.blocks[1].text == "P1: " + PARAGRAPH


def test_docx_reader_rejects_random_bytes() -> None:
    with pytest.raises(CorruptDocumentError, match="not a valid DOCX"):
        extract_document(Path("random.docx"), bytes(range(256)) * 8)


def test_html_reader_drops_navigation_and_keeps_structure() -> None:
    html = (
        "<html><head><title>Review notes: Swindon</title><style>p{}</style></head><body>"
        "<nav><a href='#'>Back to top</a></nav><h1>Review notes</h1>"
        f"<p>{PARAGRAPH}</p><ul><li>Knife carrying for protection</li></ul>"
        "<footer>&copy; Violence and Vulnerability Unit</footer></body></html>"
    ).encode()
    extracted = extract_document(Path("n.html"), html)
    assert extracted.title == "Review notes: Swindon"
    assert [(b.kind, b.text) for b in extracted.blocks] == [
        ("heading", "Review notes"),
        ("paragraph", PARAGRAPH),
        ("bullet", "Knife carrying for protection"),
    ]


def test_markdown_reader_reads_front_matter_and_strips_markup() -> None:
    text = (
        "---\ntitle: Focus group\narea: Torbay\nreview_date: 2017-05-09\n---\n"
        "# Torbay\n\nSome **bold** point about [cuckooing](http://x) in\nholiday lets.\n\n"
        "- first bullet\n- second bullet\n"
    )
    extracted = extract_document(Path("f.md"), text.encode())
    assert extracted.front_matter["area"] == "Torbay"
    assert [(b.kind, b.text) for b in extracted.blocks] == [
        ("heading", "Torbay"),
        ("paragraph", "Some bold point about cuckooing in holiday lets."),
        ("bullet", "first bullet"),
        ("bullet", "second bullet"),
    ]


def test_text_reader_reads_cp1252() -> None:
    raw = "Facilitator: It costs \u00a3200 a week.\n\nP1: The caf\u00e9 is a hub.".encode("cp1252")
    extracted = extract_document(Path("fg.txt"), raw)
    assert [b.text for b in extracted.blocks] == [
        "Facilitator: It costs \u00a3200 a week.",
        "P1: The caf\u00e9 is a hub.",
    ]


def test_unknown_extension_is_refused_with_the_supported_list() -> None:
    with pytest.raises(UnsupportedFormatError, match=r"\.xyz.*\.pdf"):
        extract_document(Path("notes.xyz"), b"text")


def test_whitespace_only_document_is_empty() -> None:
    with pytest.raises(EmptyDocumentError):
        extract_document(Path("blank.txt"), b" \n\n \t \n")
