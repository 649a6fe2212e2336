from __future__ import annotations

import datetime as dt
import io
import struct
import tracemalloc
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import docx
import pytest
from fpdf import FPDF

from pipeline.errors import (
    CorruptDocumentError,
    EmptyDocumentError,
    UnsupportedFormatError,
    ZipLimitError,
)
from pipeline.ingest.readers import ZipLimits, extract_document
from pipeline.settings import Settings

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


class TwoPageBriefing(FPDF):
    """A running header and a page footer on every page, as report templates put them."""

    def header(self) -> None:
        self.set_font("Helvetica", size=8)
        self.cell(0, 6, "OFFICIAL-SENSITIVE  Rochdale Locality Review", align="C")
        self.ln(10)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Helvetica", size=8)
        self.cell(0, 6, f"Page {self.page_no()}", align="C")


def test_a_two_page_pdf_loses_its_running_header_too() -> None:
    pdf = TwoPageBriefing(format="A4")
    pdf.set_creation_date(dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    for _ in range(2):
        pdf.add_page()
        pdf.set_font("Helvetica", size=11)
        pdf.multi_cell(0, 6, PARAGRAPH, new_x="LMARGIN", new_y="NEXT")
    texts = [b.text for b in extract_document(Path("r.pdf"), bytes(pdf.output())).blocks]
    assert sum(PARAGRAPH in t for t in texts) == 2
    assert not any("Rochdale" in t or "Page" in t for t in texts)


def test_a_word_hyphenated_at_a_pdf_line_break_is_one_word_again() -> None:
    # pdfium gives a line-break hyphen as a control character (\x02): passages read
    # "recruit\x02 ment", search missed the word and the redactor took "ative" for a name.
    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    for line in ("Youth workers said that recruit-", "ment happens online, and that ex-",
                 "cluded pupils are approached within days."):  # fmt: skip
        pdf.cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    (block,) = extract_document(Path("r.pdf"), bytes(pdf.output())).blocks
    assert block.text == (
        "Youth workers said that recruitment happens online, and that excluded pupils are "
        "approached within days."
    )


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


def test_docx_reader_keeps_what_word_shows_of_tracked_changes_and_form_fields() -> None:
    import docx
    from docx.oxml import parse_xml

    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    document = docx.Document()
    paragraph = document.add_paragraph("Officers named two addresses.")
    for xml in (
        f'<w:ins {w} w:id="1" w:author="DS"><w:r><w:t xml:space="preserve"> Six more were '
        "found in the winter.</w:t></w:r></w:ins>",
        f'<w:del {w} w:id="2" w:author="DS"><w:r><w:delText> None were cuckooed.</w:delText>'
        "</w:r></w:del>",
        f'<w:sdt {w}><w:sdtContent><w:r><w:t xml:space="preserve"> Area: Thanet.</w:t></w:r>'
        "</w:sdtContent></w:sdt>",
    ):
        paragraph._p.append(parse_xml(xml))
    buffer = io.BytesIO()
    document.save(buffer)
    extracted = extract_document(Path("tracked.docx"), buffer.getvalue())
    assert [b.text for b in extracted.blocks] == [
        "Officers named two addresses. Six more were found in the winter. Area: Thanet."
    ]


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


# --- DOCX limits: zip bombs are refused before they are unpacked ------------------------------

BOMB_PARAGRAPH = f"<w:p><w:r><w:t>{PARAGRAPH}</w:t></w:r></w:p>".encode()


def docx_with_body(chunks: Iterable[bytes]) -> bytes:
    """python-docx's blank document with `chunks` (WordprocessingML, streamed) as its body."""
    blank = io.BytesIO()
    docx.Document().save(blank)
    source = zipfile.ZipFile(blank)
    head, _, rest = source.read("word/document.xml").partition(b"<w:body>")
    tail = rest[rest.index(b"</w:body>") :]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target:
        for info in source.infolist():
            if info.filename != "word/document.xml":
                target.writestr(info, source.read(info))
                continue
            with target.open("word/document.xml", "w") as body:
                body.write(head + b"<w:body>")
                for chunk in chunks:
                    body.write(chunk)
                body.write(tail)
    return out.getvalue()


def repeated(paragraphs: int) -> Iterator[bytes]:
    """`paragraphs` copies of one paragraph, a thousand at a time."""
    block = BOMB_PARAGRAPH * 1000
    for _ in range(paragraphs // 1000):
        yield block
    yield BOMB_PARAGRAPH * (paragraphs % 1000)


def refusal_and_peak(name: str, data: bytes, error: type[Exception]) -> tuple[str, int]:
    """The reason reading is refused, and the most memory Python held meanwhile."""
    docx.Document()  # python-docx's imports, before memory is traced
    tracemalloc.start()
    try:
        with pytest.raises(error) as caught:
            extract_document(Path(name), data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return str(caught.value), peak


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """About 1 MB that unpacks to 144 MB, like the bomb a user reported (0.9 MB to 210 MB)."""
    return docx_with_body(repeated(150_000_000 // len(BOMB_PARAGRAPH)))


def test_docx_unpacking_past_the_size_limit_is_refused_without_unpacking(bomb: bytes) -> None:
    reason, peak = refusal_and_peak("bomb.docx", bomb, ZipLimitError)
    assert "the DOCX unpacks to 144 MB, over the 100 MB limit" in reason
    assert len(bomb) < 2_000_000
    # Never unpacked: less memory than the 1 MB file itself, against 144 MB to read it.
    assert peak < len(bomb)


def test_tightly_packed_docx_is_refused() -> None:
    # 8,000 copies of one paragraph in 48 KB: document.xml packs 126 times over, where real
    # text packs 3-4 times and Word's styles 30.
    small = docx_with_body(repeated(8_000))
    with pytest.raises(ZipLimitError, match=r"document\.xml .* over the 100x limit"):
        extract_document(Path("small.docx"), small)


def test_docx_of_too_many_parts_is_refused_before_its_part_list_is_read() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for number in range(6_000):
            archive.writestr(f"word/media/{number}.png", b"")
    reason, peak = refusal_and_peak("parts.docx", out.getvalue(), ZipLimitError)
    assert "6,000 parts, over the 5,000 limit" in reason
    assert peak < 100_000  # zipfile's list of 6,000 parts alone takes megabytes


def test_docx_of_many_small_tightly_packed_parts_is_refused_as_a_whole() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for number in range(20):  # each under the size at which one part's packing is checked
            archive.writestr(f"word/media/{number}.xml", b"<a/>" * 50_000)
    with pytest.raises(ZipLimitError, match=r"the DOCX unpacks to [\d,]+ times its size"):
        extract_document(Path("parts.docx"), out.getvalue())


def test_docx_written_with_zip64_records_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    # Past 65,535 parts a zip's end record says 65,535 and a zip64 record holds the count:
    # make zipfile write one for a few parts, as such a writer would, so the count must be
    # read from the zip64 record (65,535 would be over the limit).
    source = zipfile.ZipFile(io.BytesIO(make_docx()))
    out = io.BytesIO()
    monkeypatch.setattr(zipfile, "ZIP_FILECOUNT_LIMIT", 2)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info, source.read(info))
    data = bytearray(out.getvalue())
    end = data.rfind(b"PK\x05\x06")
    struct.pack_into("<2H", data, end + 8, 0xFFFF, 0xFFFF)
    extracted = extract_document(Path("zip64.docx"), bytes(data), ZipLimits(max_parts=20))
    assert extracted.title == "Focus group: Great Yarmouth"


def test_docx_over_the_element_limit_is_refused() -> None:
    # 20,000 paragraphs are 60,000 elements; the blank document's styles are 18,000 more.
    data = docx_with_body(repeated(20_000))
    limits = ZipLimits(max_ratio=1_000, max_xml_elements=50_000)
    with pytest.raises(ZipLimitError, match="over 50,000 XML elements"):
        extract_document(Path("many.docx"), data, limits)


def test_docx_over_the_paragraph_limit_is_refused() -> None:
    document = docx.Document()
    for _ in range(150):
        document.add_paragraph(PARAGRAPH)
    buffer = io.BytesIO()
    document.save(buffer)
    with pytest.raises(ZipLimitError, match="over 100 paragraphs and table cells"):
        extract_document(Path("long.docx"), buffer.getvalue(), ZipLimits(max_paragraphs=100))


def declare_size(data: bytes, name: str, size: int) -> bytes:
    """A zip whose headers for `name` declare `size` unpacked bytes, whatever the data holds."""
    patched = bytearray(data)
    encoded = name.encode()
    # Local header: size at byte 22, name at 30; central directory entry: size at 24, name at 46.
    for signature, size_at, name_at in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        at = data.find(signature)
        while at >= 0:
            if data[at + name_at : at + name_at + len(encoded)] == encoded:
                struct.pack_into("<L", patched, at + size_at, size)
            at = data.find(signature, at + 1)
    return bytes(patched)


def docx_hiding_data_in(part: str) -> bytes:
    """A DOCX whose `part` unpacks to 19 MB while its headers declare 100 KB."""
    if part == "word/document.xml":
        data = docx_with_body(repeated(200_000))
    else:
        buffer = io.BytesIO(docx_with_body(repeated(1)))
        with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(part, b"\x89PNG" + bytes(19_000_000))
        data = buffer.getvalue()
    return declare_size(data, part, 100_000)


@pytest.mark.parametrize("part", ["word/document.xml", "word/media/image1.png"])
def test_docx_whose_headers_understate_a_part_is_refused_after_the_declared_bytes(
    part: str,
) -> None:
    # Read in chunks, zipfile stops at the declared size and the checksum then fails; read
    # whole, it inflates all 19 MB first.
    reason, peak = refusal_and_peak("liar.docx", docx_hiding_data_in(part), CorruptDocumentError)
    assert f"Bad CRC-32 for file '{part}'" in reason
    assert peak < 5_000_000


def test_a_merged_table_cell_is_read_once() -> None:
    document = docx.Document()
    table = document.add_table(rows=3, cols=4)
    merged = table.cell(0, 0).merge(table.cell(2, 3))  # one cell over all twelve
    merged.text = PARAGRAPH
    buffer = io.BytesIO()
    document.save(buffer)
    extracted = extract_document(Path("merged.docx"), buffer.getvalue())
    assert [b.text for b in extracted.blocks] == [PARAGRAPH]


def test_a_table_inside_a_table_cell_is_read() -> None:
    document = docx.Document()
    outer = document.add_table(rows=1, cols=1)
    outer.cell(0, 0).paragraphs[0].text = "Outer cell."
    outer.cell(0, 0).add_table(rows=1, cols=1).cell(0, 0).text = PARAGRAPH
    buffer = io.BytesIO()
    document.save(buffer)
    extracted = extract_document(Path("nested.docx"), buffer.getvalue())
    assert [b.text for b in extracted.blocks] == ["Outer cell.", PARAGRAPH]


def test_zip_limits_default_to_the_settings_defaults() -> None:
    assert ZipLimits.from_settings(Settings()) == ZipLimits()


CMS_PAGE = b"""<!DOCTYPE html><html><head><title>Swale review findings | Kent CSP</title>
</head><body>
<div id="cookie-banner"><p>We use cookies to make this website work. Accept all cookies</p></div>
<main><h1>Exploitation in Swale</h1>
<p>Practitioners in Sheerness said lines from south London recruit children through siblings,
as the <a href="/r">review</a> found.</p>
<div class="related"><h3>Related content</h3><ul><li><a href="#">Advice for parents</a></li></ul>
</div><ul><li><a href="#">Report a concern about a child</a></li></ul></main>
<div class="site-footer"><p>Copyright Kent CSP. All content is available under the Open
Government Licence.</p><p><a href="#">Accessibility</a> <a href="#">Privacy</a></p></div>
</body></html>"""


def test_a_web_page_gives_its_main_content_not_its_chrome() -> None:
    # Tried as a user would: the cookie banner, the footer and "Related content" links became
    # passages and put the review on themes ("Bank account" quoted "We use cookies…").
    extracted = extract_document(Path("swale.html"), CMS_PAGE)
    assert [b.text for b in extracted.blocks] == [
        "Exploitation in Swale",
        "Practitioners in Sheerness said lines from south London recruit children through "
        "siblings, as the review found.",
    ]
    assert extracted.title == "Swale review findings"  # not the site's name after a bar


WORD_HTML = b"""<html><head><title>Document1</title></head><body><div class=WordSection1>
<p class=MsoTitle><span>Sunderland Locality Review<o:p></o:p></span></p>
<p class=MsoNormal><span>Dealers from Middles</span><span>brough take over flats.</span></p>
<p class=MsoListParagraphCxSpFirst><![if !supportLists]><span style='font-family:Symbol'>\xb7<span>
&nbsp;&nbsp;&nbsp; </span></span><![endif]>Tenants are too frightened to report it.</p>
<p class=MsoListParagraph><![if !supportLists]><span>2.<span>&nbsp;&nbsp; </span></span>
<![endif]>Return home interviews are rarely taken up.</p></div></body></html>"""


def test_word_html_reads_its_title_its_words_and_its_lists_as_word_shows_them() -> None:
    extracted = extract_document(Path("sunderland.htm"), WORD_HTML)
    assert extracted.title == "Sunderland Locality Review"  # not Word's "Document1"
    assert [(b.kind, b.prefix, b.text) for b in extracted.blocks] == [
        ("heading", "", "Sunderland Locality Review"),
        ("paragraph", "", "Dealers from Middlesbrough take over flats."),
        ("bullet", "• ", "Tenants are too frightened to report it."),
        ("bullet", "2. ", "Return home interviews are rarely taken up."),
    ]


def docx_bytes(document: docx.document.Document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_docx_numbered_lists_keep_their_numbers_and_bullets_their_bullet() -> None:
    # "List Number" items came out as "•": a report's recommendation numbers were lost.
    document = docx.Document()
    document.add_heading("Recommendations", level=1)
    for text in ("Set up one exploitation panel.", "Notify the lead before any exclusion."):
        document.add_paragraph(text, style="List Number")
    document.add_paragraph("Cuckooing is concentrated in two estates.", style="List Bullet")
    blocks = extract_document(Path("r.docx"), docx_bytes(document)).blocks
    assert [(b.prefix, b.text) for b in blocks[1:]] == [
        ("1. ", "Set up one exploitation panel."),
        ("2. ", "Notify the lead before any exclusion."),
        ("• ", "Cuckooing is concentrated in two estates."),
    ]


def test_docx_visible_title_beats_a_stale_template_title_in_its_properties() -> None:
    document = docx.Document()
    document.core_properties.title = "Locality review template v3 (do not edit)"
    document.add_paragraph("Torfaen Exploitation Review", style="Title")
    document.add_paragraph(PARAGRAPH)
    assert extract_document(Path("r.docx"), docx_bytes(document)).title == (
        "Torfaen Exploitation Review"
    )


def test_a_table_of_contents_is_not_read_as_passages() -> None:
    # Its lines outranked the sections they point to in search ("cuckooing").
    document = docx.Document()
    document.add_paragraph("Contents", style="Heading 1")
    document.add_paragraph("1. Introduction\t3")
    document.add_paragraph("Cuckooing and adult exploitation\t6")
    document.add_heading("1. Introduction", level=1)
    document.add_paragraph(PARAGRAPH)
    document.add_heading("Cuckooing and adult exploitation", level=1)
    document.add_paragraph("Tenants with learning disabilities lose their flats to dealers.")
    blocks = extract_document(Path("r.docx"), docx_bytes(document)).blocks
    assert [b.text for b in blocks] == [
        "Contents",
        "1. Introduction",
        PARAGRAPH,
        "Cuckooing and adult exploitation",
        "Tenants with learning disabilities lose their flats to dealers.",
    ]
    text = "Contents\n\nIntroduction ........ 3\n\nINTRODUCTION\n\n" + PARAGRAPH + "\n"
    assert [b.text for b in extract_document(Path("r.txt"), text.encode()).blocks] == [
        "Contents",
        "INTRODUCTION",
        PARAGRAPH,
    ]


def test_docx_footnotes_are_kept_after_the_text() -> None:
    # A figure's source ("Figures supplied by Cleveland Police…") was dropped with its note.
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part

    document = docx.Document()
    document.add_paragraph(PARAGRAPH)
    notes = (
        b'<w:footnotes xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        b'<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p>'
        b'</w:footnote><w:footnote w:id="1"><w:p><w:r><w:t>Figures supplied by Cleveland '
        b"Police, April 2018 to January 2019.</w:t></w:r></w:p></w:footnote></w:footnotes>"
    )
    part = Part(
        PackURI("/word/footnotes.xml"),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml",
        notes,
        document.part.package,
    )
    document.part.relate_to(part, RELATIONSHIP_TYPE.FOOTNOTES)
    blocks = extract_document(Path("r.docx"), docx_bytes(document)).blocks
    assert [(b.prefix, b.text) for b in blocks] == [
        ("", PARAGRAPH),
        ("[1] ", "Figures supplied by Cleveland Police, April 2018 to January 2019."),
    ]
