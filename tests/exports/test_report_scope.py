"""The drafted report beside a national report, and document text in its Markdown."""

from __future__ import annotations

import dataclasses
import html
import re
from pathlib import Path

import duckdb
import pytest
from hypothesis import example, given, settings, strategies
from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin

from pipeline.exports.report import Report, build_report, markdown_text, render_markdown
from pipeline.queries import MENTIONED_IN_NATIONAL, Filters
from pipeline.themes.codebook import Codebook

HOSTILE = "![x](http://127.0.0.1:9/x.png) [link](http://example.invalid) $5 to $10 # Heading"


@pytest.fixture(scope="module")
def seeded_report(seeded: dict[str, Path]) -> Report:
    with duckdb.connect(str(seeded["inferred"]), read_only=True) as con:
        return build_report(con, Codebook(), top=100)


def quotes_of(report: Report) -> list:
    return [quote for section in report.sections for quote in section.quotes]


def test_the_report_names_the_national_documents_it_quotes_but_does_not_count(
    seeded_report: Report, seeded: dict[str, Path], seed_path: Path
) -> None:
    with duckdb.connect(str(seeded["inferred"]), read_only=True) as con:
        (title,) = con.execute(
            "SELECT title FROM documents WHERE path LIKE ?", [f"%{seed_path.name}"]
        ).fetchone()
    assert seeded_report.national_documents == [title]
    assert seeded_report.coverage.reviews == 24
    assert f"which no figure counts as a review: {title}" in render_markdown(seeded_report)


def test_a_quote_from_a_national_report_is_attributed_as_one(seeded_report: Report) -> None:
    national = [q for q in quotes_of(seeded_report) if q.kind]
    assert national, "the seed's passages are on themes, so some quote should come from it"
    assert all(q.attribution.startswith("National report (") for q in national)
    assert all(q.area != "National" for q in quotes_of(seeded_report) if not q.kind)


def test_under_a_region_a_national_quote_is_one_that_mentions_it(seeded: dict[str, Path]) -> None:
    with duckdb.connect(str(seeded["inferred"]), read_only=True) as con:
        report = build_report(con, Codebook(), Filters(region="Wales"), top=100)
    kinds = {q.kind for q in quotes_of(report)}
    assert kinds <= {None, MENTIONED_IN_NATIONAL}


def rendered_text(markdown: str) -> tuple[str, str]:
    """The HTML a Markdown renderer with maths makes of `markdown`, and its visible text."""
    page = MarkdownIt("commonmark").use(dollarmath_plugin).render(markdown)
    return page, html.unescape(re.sub(r"<[^>]+>", "", page))


def test_document_text_in_the_markdown_report_is_shown_as_written(seeded_report: Report) -> None:
    first = seeded_report.sections[0]
    hostile_quote = dataclasses.replace(first.quotes[0], text=HOSTILE)
    section = dataclasses.replace(first, label=HOSTILE, quotes=[hostile_quote])
    page, visible = rendered_text(
        render_markdown(dataclasses.replace(seeded_report, sections=[section]))
    )
    assert "<img" not in page and 'example.invalid"' not in page and "math" not in page
    assert page.count("<h1>") == 1  # the report's own title only
    assert visible.count(HOSTILE) == 2  # the label and the quote, character for character


@settings(max_examples=200, deadline=None)
@example("&copy; &#35; 1. item")
@example("- item * [x]: http://example.invalid")
@given(strategies.text(strategies.characters(min_codepoint=32, max_codepoint=126), max_size=60))
def test_escaped_text_renders_as_one_plain_paragraph_of_itself(text: str) -> None:
    words = " ".join(text.split())
    page, visible = rendered_text(markdown_text(words))
    if words:
        assert page.startswith("<p>") and page.count("<p>") == 1
        assert visible.strip() == words
    assert not re.search(r"<(img|a|h\d|em|strong|code|ul|ol|blockquote|hr)\b", page)
