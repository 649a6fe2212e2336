"""Regions: themes across the country, and one region against the rest."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import streamlit as st

from pipeline.viewer import charts, data
from pipeline.viewer.context import describe, page_context
from pipeline.viewer.literal import md
from pipeline.viewer.widgets import show_quotes

context = page_context()
source, filters = context.source, context.filters
labels = context.labels

st.title("Themes by region")
st.caption(f"Showing {describe(filters)}")
level = (
    st.segmented_control(
        "Compare",
        ["region", "police_force"],
        default="region",
        key="regions_level",
        format_func=lambda v: "regions" if v == "region" else "police forces",
    )
    or "region"
)
counts = data.curate(data.counts(source, filters, level), context.codebook)
if counts.empty:
    st.info("No themes under these filters.")
    st.stop()
counts = counts[counts["theme_id"].isin(labels)]
st.altair_chart(charts.heatmap(counts, labels), width="stretch")
st.caption("Each cell: the share of that place's reviews raising the theme (printed in the cell).")

places = sorted(counts["place"].dropna().unique())
place = st.selectbox("Compare one with the rest of the country", places, key="regions_place")
comparison = data.curate(data.compare_place(source, level, place, filters), context.codebook)
if comparison.empty:
    st.info(f"No themes to compare for {md(place)}.")
    st.stop()
comparison = comparison[comparison["theme_id"].isin(labels)]
st.altair_chart(charts.lift_chart(comparison.head(12), labels), width="stretch")
st.dataframe(
    pd.DataFrame(
        {
            "Theme": comparison["theme_id"].map(labels),
            f"Reviews in {place}": [
                f"{k}/{n}"
                for k, n in zip(comparison["in_place"], comparison["place_documents"], strict=True)
            ],
            "Elsewhere": [
                f"{k}/{n}"
                for k, n in zip(
                    comparison["elsewhere"], comparison["elsewhere_documents"], strict=True
                )
            ],
            "Lift": comparison["lift"].round(2),
            "p (Fisher)": comparison["p_value"].round(4),
            "Significant": comparison["significant"].map({True: "yes", False: ""}),
        }
    ),
    hide_index=True,
    width="stretch",
)
st.caption("* and 'yes': p < 0.05 by Fisher's exact test on reviews raising the theme.")

st.subheader(f"What practitioners in {md(place)} said")
over = comparison[comparison["lift"] > 1].head(3)
column = "region" if level == "region" else "police_force"
local = replace(filters.without_place(), **{column: place})
for row in over.itertuples():
    st.markdown(f"**{md(labels.get(int(row.theme_id)))}** — lift {row.lift:.1f}")
    show_quotes(context, data.quotes(source, int(row.theme_id), local, 2), with_context=False)
