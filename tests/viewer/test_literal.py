"""Document text inside the viewer's Markdown shows exactly as written."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings, strategies
from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin

from pipeline.viewer.literal import code, md

# A CommonMark + GitHub parser with maths: block and inline markup as Streamlit's parser sees it.
PARSER = MarkdownIt("gfm-like").use(dollarmath_plugin)
JOINER = "\u2060"
# What Streamlit's own plugins rewrite in text that is already parsed (JavaScript's \w is ASCII).
STREAMLIT_TEXT_PATTERNS = [
    re.compile(r":streamlit:"),
    re.compile(r":material_\w+:", re.ASCII),
    re.compile(r":\+1:|:-1:|:[\w-]+:", re.ASCII),  # remark-emoji
    re.compile(r"(^|\s)(<->|->|<-|--|>=|<=|~=)(\s|$)"),
    re.compile(r"(https?://|www(?=\.))([-.\w]+)", re.ASCII | re.IGNORECASE),  # autolinks
    re.compile(r"([-.\w+]+)@([-\w]+(?:\.[-\w]+)+)", re.ASCII),
]
HOSTILE = [
    "![x](http://127.0.0.1:9/x.png)",
    "[link](http://example.invalid)",
    "$5 to $10",
    "$$x^2$$",
    "# Heading",
    ":red[red] :blue-background[blue] :help[tip]",
    "<img src=x onerror=alert(1)>",
    "**bold** _it_ ~~gone~~ `code`",
    "<script>alert(1)</script>",
    "see www.example.invalid or mail me@example.invalid",
    ":streamlit: :material/flag: :smile: :+1:",
    "a -> b <- c -- d",
    "1. first\n2. second",
    "| a | b |\n|---|---|\n| 1 | 2 |",
    "    indented code",
    "> quoted\n---",
    "[^1] and [ref]\n\n[ref]: http://example.invalid",
    "&amp; &#58; \\$ \\",
]
MARKUP_HEAVY = strategies.lists(
    strategies.one_of(
        strategies.sampled_from(
            [*"\\`*_{}[]()#+-.!|<>~$:&@/=^ \n\t'\"%;,?", "http://", "www.", "->", ":x:"]
        ),
        strategies.characters(exclude_characters="\x00"),
    ),
    max_size=40,
).map("".join)


def parsed(source: str) -> tuple[list[str], str]:
    """The token types Markdown makes of `source`, and its text with word joiners removed."""
    kinds, text = [], []
    for token in PARSER.parse(source):
        kinds.append(token.type)
        for child in token.children or []:
            kinds.append(child.type)
            text.append(child.content)
    return kinds, "".join(text).replace(JOINER, "")


@pytest.mark.parametrize("hostile", HOSTILE)
def test_markup_in_document_text_stays_text(hostile: str) -> None:
    kinds, text = parsed(md(hostile))
    assert kinds == ["paragraph_open", "inline", "text", "paragraph_close"]
    assert text == " ".join(hostile.split())


@given(MARKUP_HEAVY)
@settings(max_examples=400)
def test_any_text_parses_to_one_plain_paragraph_of_itself(text: str) -> None:
    kinds, shown = parsed(md(text))
    expected = " ".join(text.split())
    assert kinds == (["paragraph_open", "inline", "text", "paragraph_close"] if expected else [])
    # `parsed` takes out the invisible joiners md puts in, and so any the text itself held.
    assert shown == expected.replace(JOINER, "")


@given(MARKUP_HEAVY)
@settings(max_examples=400)
def test_no_streamlit_rewrite_matches_the_parsed_text(text: str) -> None:
    _, shown = parsed(md(text))
    with_joiners = PARSER.parse(md(text))[1].children[0].content if shown else ""
    for pattern in STREAMLIT_TEXT_PATTERNS:
        assert not pattern.search(with_joiners), (pattern.pattern, with_joiners)


@given(MARKUP_HEAVY)
def test_every_markup_character_reaches_the_parser_escaped(text: str) -> None:
    # Maths, directives and colour spans are Streamlit extensions this parser lacks: check at
    # the source that none of their opening characters is left bare.
    bare = re.sub(r"\\.", "", md(text))
    assert not set(bare) & set("$:[]`*_<>&\\")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("data/findings.duckdb", "`data/findings.duckdb`"),
        ("odd`name", "``odd`name``"),
        ("`edge", "`` `edge ``"),
        (None, ""),
        (float("nan"), ""),
    ],
)
def test_code_spans_hold_their_text_whatever_backticks_it_has(value: object, expected: str) -> None:
    assert code(value) == expected
    if expected:
        kinds, text = parsed(expected)
        assert kinds == ["paragraph_open", "inline", "code_inline", "paragraph_close"]
        assert text == str(value)


@pytest.mark.parametrize("missing", [None, float("nan"), "", "   "])
def test_a_missing_value_becomes_empty_text(missing: object) -> None:
    assert md(missing) == ""
