"""Search passages by words or by meaning, under the sidebar's filters; and the team's memos."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from pipeline.access.memos import Memo, MemoTarget
from pipeline.access.roles import Action
from pipeline.errors import SearchIndexError
from pipeline.queries import Filters
from pipeline.viewer import data
from pipeline.viewer.context import describe, page_context
from pipeline.viewer.literal import md, shown
from pipeline.viewer.memos import MEMO_HELP, passage_memos, show_memos
from pipeline.viewer.widgets import coding_control, coding_line, provenance, quote_card

context = page_context()
source, filters = context.source, context.filters
labels = context.labels

st.title("Search")
query = st.text_input(
    "Search the passages",
    key="search_query",
    placeholder="e.g. cuckooing in holiday lets",
)
mode = (
    st.segmented_control(
        "How",
        ["keywords", "meaning", "words and meaning"],
        default="words and meaning",
        key="search_mode",
        help="keywords: BM25 over the words; meaning: nearest passages by embedding; words and "
        "meaning: both rankings fused, interviewers' questions after the answers.",
    )
    or "words and meaning"
)
limit = st.slider("Results", 5, 50, 15, key="search_limit")
if not query.strip():
    st.caption(f"Type a few words. Searching {describe(filters)}, and the team's memos.")
    st.stop()


def search_passages() -> pd.DataFrame | None:
    """The passages found under the filters; None (with a warning) when the index cannot say."""
    try:
        if mode == "words and meaning":
            hide = st.toggle("Hide interviewers' questions", key="search_hide_questions")
            return data.hybrid_search(
                source, query, filters, limit, context.settings.embedding_model,
                "hide" if hide else "last",
            )  # fmt: skip
        if mode == "keywords":
            return data.keyword_search(source, query, filters, limit)
    except SearchIndexError as exc:
        st.warning(str(exc))
        return None
    return data.semantic_search(source, query, filters, limit, context.settings.embedding_model)


def memo_about(memo: Memo, titles: dict[str, str]) -> str:
    """What a memo is about, in plain words: a theme's label, a document's title, a passage."""
    if memo.target is MemoTarget.theme:
        name = labels.get(int(memo.target_id)) if memo.target_id.isdigit() else None
        return f"on theme “{name or '#' + memo.target_id}”"
    if memo.target is MemoTarget.document:
        return f"on document “{titles.get(memo.target_id) or memo.target_id[:12]}”"
    return f"on passage {memo.target_id[:12]}"


results = search_passages()
if results is not None:
    st.caption(f"{len(results)} passages for “{md(query)}” by {md(mode)} · {describe(filters)}")
    if results.empty:
        st.info("Nothing found. Try other words, or search by meaning.")
    texts = data.redact(results["text"].tolist(), context.settings, context.source)
    memos_by_passage = data.memos_on(context.settings, MemoTarget.passage, context.source)
    decisions = data.passage_decisions(context.settings, context.source)
    codes = context.may(Action.edit_codebook)
    for row, text in zip(results.itertuples(), texts, strict=True):
        theme = row.theme_id
        theme_text = (
            "no theme" if pd.isna(theme) else labels.get(int(theme), f"theme #{int(theme)}")
        )
        box = quote_card(
            text, f"{md(provenance(row))} · **{md(theme_text)}** · score {row.score:.3f}"
        )
        coded = coding_line(decisions.get(row.passage_id), labels)
        if coded is not None:
            box.caption(md(coded))
        with box:
            # Coders code a passage where they find it, as under a theme's quotes.
            passage_memos(context, row.passage_id, memos_by_passage.get(row.passage_id, []))
            if codes:
                coding_control(context, row.passage_id)

# Memos are the team's words about themes, documents and passages, not evidence: searched
# whatever the filters (a theme's memo has no region), by every word, and shown as text.
st.subheader("Memos", help=MEMO_HELP)
found = data.memos_holding(context.settings, query)
if not found:
    st.caption(f"No memo holds every word of “{md(query)}”.")
else:
    st.caption(
        f"{len(found)} memo{'s' if len(found) != 1 else ''} holding every word of “{md(query)}” "
        "(any case), oldest first, whatever the filters."
    )
    every_document = data.sources(source, Filters())
    titles = dict(
        zip(every_document["doc_id"].astype(str), every_document["title"].map(shown), strict=True)
    )
    show_memos(context, found, lambda memo: memo_about(memo, titles))
