"""National findings: the director's landing page."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from pipeline.viewer import data
from pipeline.viewer.context import describe, page_context
from pipeline.viewer.literal import code, md
from pipeline.viewer.widgets import STATUS_HELP, STATUS_TEXT, show_quotes

context = page_context()
source, filters = context.source, context.filters
labels = context.labels

st.title("National findings")
runs = data.run_history(source)
done = runs[runs["status"] == "succeeded"]
if not done.empty:
    latest = done.iloc[0]
    st.caption(
        f"Data as of the theme run of {pd.Timestamp(latest['finished_at']):%d %b %Y %H:%M} UTC "
        f"(run {code(latest['run_id'])}) · showing {describe(filters)}"
    )

cover = data.coverage(source, filters)
cols = st.columns(4)
cols[0].metric("Reviews", int(cover.reviews))
cols[1].metric("Areas", int(cover.areas))
cols[2].metric("Regions", int(cover.regions))
if cover.first_review and cover.last_review:
    cols[3].metric(
        "Review dates",
        f"{cover.first_review:%Y}–{cover.last_review:%Y}",
        help=f"{cover.first_review:%d %b %Y} to {cover.last_review:%d %b %Y}",
    )
else:
    cols[3].metric("Review dates", "—")
if cover.national_documents:
    st.caption(
        f"Also {int(cover.national_documents)} national or thematic "
        f"document{'s' if cover.national_documents != 1 else ''}: quoted beside the reviews, "
        "never counted as one (see Sources)."
    )

overview = data.curate(data.overview(source, filters), context.codebook)
st.subheader("Headline themes")
if overview.empty:
    st.info("No themes under these filters.")
    st.stop()
st.caption(
    "Ranked by the number of reviews raising each theme, then areas. "
    f"Select a row for its quotes. Status — {STATUS_HELP}."
)
table = pd.DataFrame(
    {
        "Theme": overview["label"],
        "Status": overview["status"].map(STATUS_TEXT).fillna(overview["status"]),
        "Reviews": overview["n_documents"],
        "Areas": overview["n_areas"],
        "Regions": overview["n_regions"],
        "Share of reviews": (overview["prevalence"] * 100).round(),
        "Reviews per year": overview["sparkline"],
        "Heading": overview["heading"],
    }
)
picked = st.dataframe(
    table,
    hide_index=True,
    width="stretch",
    on_select="rerun",
    selection_mode="single-row",
    key="national_table",
    column_config={
        "Share of reviews": st.column_config.ProgressColumn(
            format="%d%%", min_value=0, max_value=100
        ),
        "Reviews per year": st.column_config.LineChartColumn(y_min=0),
    },
)
rows = picked.selection.rows if picked else []
chosen = overview.iloc[rows[0]] if rows else overview.iloc[0]
theme_id = int(chosen["theme_id"])
st.markdown(f"#### {md(chosen['label'])}")
st.caption(
    f"Raised in {int(chosen['n_documents'])} of {int(cover.reviews)} reviews "
    f"({chosen['prevalence']:.0%}, 95% CI {chosen['ci_low']:.0%}–{chosen['ci_high']:.0%}), "
    f"{int(chosen['n_areas'])} areas, {int(chosen['n_passages'])} passages."
)
show_quotes(context, data.quotes(source, theme_id, filters, 3), with_context=False)
st.page_link(
    "app_pages/theme.py",
    label="Open the theme page",
    icon="➡️",
    query_params={"theme": str(theme_id)},
)

st.subheader("What changed in the latest run")
changes = data.changes(source)
if changes.previous_run_id is None:
    st.caption(f"The first run: built on {len(changes.new_documents)} reviews.")
else:
    new_docs = changes.new_documents
    st.markdown(
        f"- **{len(new_docs)}** reviews added"
        + (
            ": "
            + ", ".join(
                f"{md(t)} ({md(a)})" if pd.notna(a) else md(t)
                for t, a in zip(new_docs["title"], new_docs["area"], strict=True)
            )
            if len(new_docs)
            else ""
        )
    )
    new = [labels.get(t, t) for t in changes.new_theme_ids]
    gone = [labels.get(t, t) for t in changes.dormant_theme_ids]
    st.markdown(
        f"- **{len(new)}** new themes" + (": " + "; ".join(md(t) for t in new) if new else "")
    )
    st.markdown(
        f"- **{len(gone)}** themes went dormant"
        + (": " + "; ".join(md(t) for t in gone) if gone else "")
    )
moving = overview[overview["status"].isin(["new", "emerging", "spreading", "fading"])]
for row in moving.itertuples():
    st.markdown(f"- {md(STATUS_TEXT.get(row.status, row.status))}: **{md(row.label)}**")
