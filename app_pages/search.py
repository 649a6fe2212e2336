"""Search passages by words or by meaning, under the sidebar's filters."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from pipeline.errors import SearchIndexError
from pipeline.viewer import data
from pipeline.viewer.context import describe, page_context
from pipeline.viewer.literal import md
from pipeline.viewer.widgets import provenance, quote_card

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
    st.caption(f"Type a few words. Searching {describe(filters)}.")
    st.stop()
if mode == "words and meaning":
    hide = st.toggle("Hide interviewers' questions", key="search_hide_questions")
    try:
        results = data.hybrid_search(
            source, query, filters, limit, context.settings.embedding_model,
            "hide" if hide else "last",
        )  # fmt: skip
    except SearchIndexError as exc:
        st.warning(str(exc))
        st.stop()
elif mode == "keywords":
    try:
        results = data.keyword_search(source, query, filters, limit)
    except SearchIndexError as exc:
        st.warning(str(exc))
        st.stop()
else:
    results = data.semantic_search(source, query, filters, limit, context.settings.embedding_model)
st.caption(f"{len(results)} passages for “{md(query)}” by {md(mode)} · {describe(filters)}")
if results.empty:
    st.info("Nothing found. Try other words, or search by meaning.")
    st.stop()
texts = data.redact(results["text"].tolist(), context.settings, context.source)
for row, text in zip(results.itertuples(), texts, strict=True):
    theme = row.theme_id
    theme_text = "no theme" if pd.isna(theme) else labels.get(int(theme), f"theme #{int(theme)}")
    quote_card(text, f"{md(provenance(row))} · **{md(theme_text)}** · score {row.score:.3f}")
