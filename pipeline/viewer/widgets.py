"""Pieces several pages share: quotes with their provenance, status badges."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from pipeline.viewer import data
from pipeline.viewer.context import DOC_TYPES, PageContext

STATUS_TEXT = {
    "new": "🆕 new",
    "emerging": "↗ emerging",
    "spreading": "⇶ spreading",
    "stable": "→ stable",
    "fading": "↘ fading",
    "dormant": "◌ dormant",
}
STATUS_HELP = (
    "new: first seen in the latest run · emerging: rising significantly over time · "
    "spreading: reaching more regions · fading: falling significantly · stable: none of these"
)


def provenance(row: object) -> str:
    """'Title · Area, Region · May 2016 · transcript · speaker role'."""
    date = getattr(row, "review_date", None)
    parts = [
        getattr(row, "title", None),
        ", ".join(p for p in (getattr(row, "area", None), getattr(row, "region", None)) if p),
        f"{pd.Timestamp(date):%d %b %Y}" if date is not None and not pd.isna(date) else None,
        DOC_TYPES.get(getattr(row, "doc_type", "") or "", None),
        getattr(row, "speaker_role", None),
    ]
    return " · ".join(str(p) for p in parts if p and not (isinstance(p, float) and pd.isna(p)))


def show_quotes(context: PageContext, quotes: pd.DataFrame, with_context: bool = True) -> None:
    """Each quote (redacted for display) with where it comes from, and its surroundings."""
    if quotes.empty:
        st.caption("No passages under these filters.")
        return
    texts = data.redact(quotes["text"].tolist(), context.settings, context.source)
    for row, text in zip(quotes.itertuples(), texts, strict=True):
        with st.container(border=True):
            st.markdown(f"> {text}")
            st.caption(provenance(row))
            if with_context:
                with st.expander("Context in the document"):
                    around = data.context(context.source, row.passage_id)
                    shown = data.redact(around["text"].tolist(), context.settings, context.source)
                    for near, near_text in zip(around.itertuples(), shown, strict=True):
                        st.markdown(f"**{near_text}**" if near.is_quote else near_text)
