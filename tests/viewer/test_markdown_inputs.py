"""Every value the viewer writes into Streamlit Markdown is either ours or escaped.

Streamlit reads titles, captions, alerts, labels, metrics and `st.markdown` as Markdown. A value
from the documents (a title, an area, a theme label) placed there bare could become a link, an
image fetched from elsewhere, a formula or a heading. This reads the viewer's source and finds
every such call whose text is not built from literals, numbers and `md()`/`code()`/`describe()`.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import REPO

VIEWER_FILES = sorted(
    [REPO / "app.py", *(REPO / "app_pages").glob("*.py"), *(REPO / "pipeline/viewer").glob("*.py")]
)
# Calls whose first argument (or `body`/`label`) Streamlit renders as Markdown; `help` too.
MARKDOWN_FIRST = {
    "markdown", "caption", "title", "header", "subheader", "write", "info", "warning", "error",
    "success", "toast", "expander", "popover", "tabs", "metric", "button", "download_button",
    "link_button", "page_link", "form_submit_button", "selectbox", "multiselect", "radio",
    "segmented_control", "pills", "slider", "select_slider", "text_input", "text_area",
    "number_input", "checkbox", "toggle", "date_input", "file_uploader",
}  # fmt: skip
MARKDOWN_KEYWORDS = {"body", "label", "help"}
# Our helper that puts its second argument under a quote as a caption.
MARKDOWN_AT = {"quote_card": 1}
# Calls that make any text Markdown-safe, or that return numbers.
ESCAPING = {"md", "code", "describe"}
NUMERIC = {"int", "len", "float", "round"}
# Calls that write a whole number (formatted `:d`) and a noun, safe when the noun is a literal.
COUNTED = {"plural", "bold_count"}
# Values that are ours, not the documents', each with the reason it may stay bare.
TRUSTED = {
    ("search.py", "str(exc)"): "SearchIndexError's own message, which quotes a command as code",
    ("widgets.py", "about"): "quote_card's caller passes Markdown it escaped (checked above)",
    ("app.py", "settings.db"): "the operator's own warehouse path, inside a code span",
    ("app.py", "missing.message"): "the viewer's own message about the snapshot",
    ("app.py", "source.fallback"): "the viewer's own message about the snapshot",
    ("team.py", "message"): "the viewer's own refusals; their callers escape what they quote",
}


@dataclass(frozen=True)
class Bare:
    """A value written into Markdown without escaping."""

    file: str
    line: int
    source: str


def unsafe_parts(node: ast.expr, file: str, text: str) -> list[ast.expr]:
    """The pieces of an expression whose text is neither ours nor escaped."""
    parts: list[ast.expr] = []
    if isinstance(node, ast.Constant) or (isinstance(node, ast.Name) and node.id.isupper()):
        return []  # a literal or a module constant
    if isinstance(node, ast.JoinedStr):
        for value in node.values:
            if isinstance(value, ast.FormattedValue) and value.format_spec is None:
                parts += unsafe_parts(value.value, file, text)  # a format spec means a number
        return parts
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return unsafe_parts(node.left, file, text) + unsafe_parts(node.right, file, text)
    if isinstance(node, ast.IfExp):
        return unsafe_parts(node.body, file, text) + unsafe_parts(node.orelse, file, text)
    if isinstance(node, ast.Call):
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name in ESCAPING or name in NUMERIC:
            return []
        if name in COUNTED and len(node.args) == 2:
            return unsafe_parts(node.args[1], file, text)
        joined = isinstance(node.func, ast.Attribute) and node.func.attr == "join"
        if joined and isinstance(node.func.value, ast.Constant) and len(node.args) == 1:
            items = node.args[0]
            if isinstance(items, (ast.GeneratorExp, ast.ListComp)):
                return unsafe_parts(items.elt, file, text)
            return unsafe_parts(items, file, text)
    return [] if (file, ast.get_source_segment(text, node)) in TRUSTED else [node]


def markdown_arguments(call: ast.Call) -> list[ast.expr]:
    """The arguments of `call` that Streamlit renders as Markdown."""
    called = (
        call.func.body if isinstance(call.func, ast.IfExp) else call.func
    )  # (st.a if x else st.b)(…)
    name = called.attr if isinstance(called, ast.Attribute) else None
    if isinstance(call.func, ast.Name) and call.func.id in MARKDOWN_AT:
        index = MARKDOWN_AT[call.func.id]
        return call.args[index : index + 1]
    if name not in MARKDOWN_FIRST:
        return []
    keywords = MARKDOWN_KEYWORDS | ({"value", "delta"} if name == "metric" else set())
    found = list(call.args[:3] if name == "metric" else call.args[:1])  # a metric's value too
    return found + [k.value for k in call.keywords if k.arg in keywords]


def bare_values(path: Path) -> list[Bare]:
    """Every Markdown argument in one file that is not provably safe."""
    text = path.read_text(encoding="utf-8")
    found = []
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Call):
            for argument in markdown_arguments(node):
                for part in unsafe_parts(argument, path.name, text):
                    source = ast.get_source_segment(text, part) or ""
                    found.append(Bare(path.name, part.lineno, source))
    return found


@pytest.mark.parametrize("path", VIEWER_FILES, ids=lambda p: p.name)
def test_no_document_value_reaches_markdown_unescaped(path: Path) -> None:
    assert bare_values(path) == []


def test_the_check_finds_a_bare_value(tmp_path: Path) -> None:
    page = tmp_path / "page.py"
    page.write_text(
        'st.caption(f"{row.title} · {md(row.area)} · {n:.0%}")\n'
        'st.title(label)\nst.markdown("**Keywords:** " + ", ".join(keywords))\n'
        "left.selectbox(by.capitalize(), rows)\nquote_card(text, provenance(row))\n"
        'st.markdown(md(label))\ncols[0].metric("Reviews", int(n))\n'
        "(st.error if broken else st.info)(message)\n",
        encoding="utf-8",
    )
    assert [b.source for b in bare_values(page)] == [
        "row.title",
        "label",
        "keywords",
        "by.capitalize()",
        "provenance(row)",
        "message",
    ]
