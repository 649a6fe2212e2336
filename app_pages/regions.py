"""Regions: themes across the country, and one region against the rest."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import streamlit as st

from pipeline.analysis.statistics import MIN_PLACE_REVIEWS
from pipeline.viewer import charts, data
from pipeline.viewer.context import describe, page_context
from pipeline.viewer.literal import md
from pipeline.viewer.widgets import show_quotes


def reviews(n: int) -> str:
    """'1 review', '2 reviews'."""
    return f"{n} review{'s' if n != 1 else ''}"


def reviews_of(places: pd.Series) -> str:
    """'North East (1 review), Wales (2 reviews)'."""
    return ", ".join(f"{p} ({reviews(int(n))})" for p, n in places.items())


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
noun = "region" if level == "region" else "police force"
sizes = counts.drop_duplicates("place").set_index("place")["place_documents"].sort_values()
few = sizes[sizes < MIN_PLACE_REVIEWS]
if not few.empty:
    st.warning(
        md(
            f"Too few reviews to compare: {reviews_of(few)}. With one or two reviews a share "
            f"can only be 0%, 50% or 100%, and Findings calls nothing there significant (a {noun} "
            f"needs {MIN_PLACE_REVIEWS} reviews first): read those columns as single accounts, "
            "not rates."
        )
    )
st.altair_chart(charts.heatmap(counts, labels), width="stretch")
st.caption(
    md(
        f"Each cell: reviews raising the theme out of that {noun}'s reviews (k/n), shaded by "
        f"the share; each column names its number of reviews, and faint columns have fewer than "
        f"{MIN_PLACE_REVIEWS}."
    )
)

places = sorted(counts["place"].dropna().unique())
place = st.selectbox("Compare one with the rest of the country", places, key="regions_place")
comparison = data.curate(data.compare_place(source, level, place, filters), context.codebook)
if comparison.empty:
    st.info(f"No themes to compare for {md(place)}.")
    st.stop()
comparison = comparison[comparison["theme_id"].isin(labels)]
place_reviews = int(comparison["place_documents"].iloc[0])
if place_reviews < MIN_PLACE_REVIEWS:
    them = "that one review" if place_reviews == 1 else f"those {place_reviews} reviews"
    st.warning(
        md(
            f"{place} has only {reviews(place_reviews)}: nothing there "
            f"can be significant. Each lift below compares {them} with the rest of the country: "
            "what they say, not a regional rate."
        )
    )
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
            "Significant": [
                "yes"
                if significant
                else ("too few reviews" if place_reviews < MIN_PLACE_REVIEWS else "")
                for significant in comparison["significant"]
            ],
        }
    ),
    hide_index=True,
    width="stretch",
    height="content",
)
st.caption(
    md(
        "* in the chart and 'yes' in the table: p < 0.05 by Fisher's exact test on reviews "
        f"raising the theme, in a {noun} with at least {MIN_PLACE_REVIEWS} reviews."
    )
)

st.subheader(f"What practitioners in {md(place)} said")
over = comparison[comparison["lift"] > 1].head(3)
column = "region" if level == "region" else "police_force"
local = replace(filters.without_place(), **{column: place})
for row in over.itertuples():
    st.markdown(f"**{md(labels.get(int(row.theme_id)))}** — lift {row.lift:.1f}")
    show_quotes(
        context,
        data.quotes(source, int(row.theme_id), local, 2),
        with_context=False,
        section=f"lift{int(row.theme_id)}_",
    )
