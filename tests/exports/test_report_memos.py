"""The drafted report's appendix of researchers' memos: as written, never as markup."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from docx import Document

from pipeline.access.memos import Memo, MemoTarget
from pipeline.exports.report import build_report, render_html, render_markdown, write_report
from pipeline.themes.codebook import Codebook

AT = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def con(themed_db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    with duckdb.connect(str(themed_db), read_only=True) as connection:
        yield connection


@pytest.fixture(scope="module")
def memos(con) -> list[Memo]:
    theme_id = con.execute(
        "SELECT theme_id FROM themes WHERE status <> 'dormant' ORDER BY theme_id LIMIT 1"
    ).fetchone()[0]
    doc_id = con.execute("SELECT doc_id FROM documents ORDER BY doc_id LIMIT 1").fetchone()[0]
    return [
        Memo(
            1, MemoTarget.theme, str(theme_id), "Check *this* with [the team](http://x)", "Ann", AT
        ),
        Memo(2, MemoTarget.document, doc_id, "Interview <b>notes</b> missing", "Bob", AT),
    ]


@pytest.fixture(scope="module")
def report(con, memos):
    return build_report(con, Codebook(), memos=memos)


def test_each_memo_is_in_the_appendix_naming_its_theme_or_document(con, report) -> None:
    label = con.execute(
        "SELECT label FROM themes WHERE status <> 'dormant' ORDER BY theme_id LIMIT 1"
    ).fetchone()[0]
    title = con.execute("SELECT title FROM documents ORDER BY doc_id LIMIT 1").fetchone()[0]
    assert [(m.author, m.text) for m in report.memos] == [
        ("Ann", "Check *this* with [the team](http://x)"),
        ("Bob", "Interview <b>notes</b> missing"),
    ]
    assert label in report.memos[0].about and title in report.memos[1].about


def test_markdown_shows_a_memo_as_text_not_as_a_link(report) -> None:
    text = render_markdown(report)
    assert "## Appendix: researchers' memos" in text
    assert r"Check \*this\* with \[the team\]\(http://x\)" in text.replace(r"\:", ":")
    assert "](http://x)" not in text


def test_html_escapes_a_memo(report) -> None:
    page = render_html(report)
    assert "Interview &lt;b&gt;notes&lt;/b&gt; missing" in page and "<b>notes" not in page


def test_docx_holds_the_memo_as_written(report, tmp_path: Path) -> None:
    out = write_report(report, tmp_path / "r.docx")
    paragraphs = [p.text for p in Document(str(out)).paragraphs]
    assert any("Interview <b>notes</b> missing" in p for p in paragraphs)


def test_a_report_without_memos_has_no_appendix(con) -> None:
    assert "Appendix" not in render_markdown(build_report(con, Codebook()))
