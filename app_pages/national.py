"""National findings: the director's landing page.

What is changing comes first (new, emerging, spreading and fading themes, each with the figures
and the test behind its status and two quotes), then every theme in one table that shows all its
rows and columns, then what the latest run changed.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from pipeline.analysis.statistics import CHANGING
from pipeline.viewer import changing, data
from pipeline.viewer.context import bold_count, describe, page_context, plural
from pipeline.viewer.literal import code, md
from pipeline.viewer.widgets import (
    STATUS_HELP,
    STATUS_TEXT,
    fit_widths,
    show_quotes,
    text_width,
)

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
        f"Also {plural(int(cover.national_documents), 'national or thematic document')}: "
        "quoted beside the reviews, "
        "never counted as one (see Sources)."
    )

overview = data.curate(data.overview(source, filters), context.codebook)
if overview.empty:
    st.info("No themes under these filters.")
    st.stop()
basis = data.status_basis(source, filters)

st.subheader("What is changing")
st.caption(md(changing.basis_caption(basis)))
moving = overview[overview["status"].isin(CHANGING)]
moving = moving.sort_values(
    "status", key=lambda s: s.map(CHANGING.index), kind="stable"
).reset_index(drop=True)
if moving.empty:
    st.info(
        "No theme is new, emerging, spreading or fading under these filters: every theme below "
        "is stable over the period."
    )
# Two boxes a row, so the changes fit in a screen or two rather than scrolling past the table.
places = st.columns(2) if len(moving) > 1 else [st.container()]
for number, row in enumerate(moving.itertuples()):
    theme_id = int(row.theme_id)
    box = places[number % len(places)].container(border=True, key=f"changing_{theme_id}")
    with box:
        st.markdown(
            f"**{md(STATUS_TEXT[row.status])}** · **{md(row.label)}** — raised in "
            f"{int(row.n_documents)} of {int(cover.reviews)} reviews ({row.prevalence:.0%})"
        )
        evidence = [changing.counts_line(changing.by_period(list(row.sparkline), basis))]
        if row.status in ("emerging", "fading"):
            evidence.append(changing.trend_test_line(row.trend_z, row.trend_p))
        elif row.status == "spreading":
            spread = changing.spread_of(
                data.theme_regions_by_period(source, theme_id, filters), basis
            )
            evidence.append(changing.spread_line(spread, basis))
            evidence.append(changing.trend_test_line(row.trend_z, row.trend_p) + " (no trend)")
        else:  # new: found by the latest run, so there is no earlier run to compare with
            evidence.append("First found in the latest theme run.")
        for line in evidence:
            st.caption(md(line))
        show_quotes(
            context,
            data.quotes(source, theme_id, filters, 2),
            with_context=False,
            section=f"change{theme_id}_",  # one passage may be quoted under two themes
        )
        st.page_link(
            "app_pages/theme.py",
            label="Open the theme page",
            icon="➡️",
            query_params={"theme": str(theme_id)},
        )

st.subheader("All themes")
st.caption(
    "Ranked by the number of reviews raising each theme, then areas. "
    f"Select a row for its quotes. Status — {STATUS_HELP}."
)
table = pd.DataFrame(
    {
        "Theme": overview["label"],
        "Status": overview["status"].map(STATUS_TEXT).fillna(overview["status"]),
        "Reviews": overview["n_documents"],
        "Share": overview["prevalence"] * 100,
        "95% interval": [
            f"{low:.0%}–{high:.0%}"
            for low, high in zip(overview["ci_low"], overview["ci_high"], strict=True)
        ],
        "By year": overview["sparkline"],
        "Heading": overview["heading"],
    }
)
# Every column in view at 1,400 px: numbers and badges narrow, the two texts as wide as their
# longest value where that fits (areas and regions are in the caption of the theme selected
# below, and on its page: with them the table outgrew the window).
widths = fit_widths(
    {"Status": 88, "Reviews": 62, "Share": 52, "95% interval": 88, "By year": 70},
    {name: text_width(table[name], name) for name in ("Theme", "Heading")},
)
picked = st.dataframe(
    table,
    hide_index=True,
    width="stretch",
    # every row, not the ten the default height shows
    height="content",
    on_select="rerun",
    selection_mode="single-row",
    key="national_table",
    column_config={
        "Theme": st.column_config.TextColumn(width=widths["Theme"]),
        "Status": st.column_config.TextColumn(width=widths["Status"]),
        "Reviews": st.column_config.NumberColumn(
            width=widths["Reviews"], help=f"Reviews raising the theme, of {int(cover.reviews)}"
        ),
        "Share": st.column_config.NumberColumn(
            format="%.0f%%", width=widths["Share"], help="Share of reviews raising it"
        ),
        "95% interval": st.column_config.TextColumn(
            width=widths["95% interval"],
            help="Wilson 95% interval of the share of reviews raising it",
        ),
        "By year": st.column_config.LineChartColumn(
            y_min=0,
            width=widths["By year"],
            help=f"Reviews raising it each year, {changing.span(basis.periods)}",
        ),
        "Heading": st.column_config.TextColumn(
            width=widths["Heading"],
            help="The section of the national report this theme falls under",
        ),
    },
)
rows = picked.selection.rows if picked else []
chosen = overview.iloc[rows[0]] if rows else overview.iloc[0]
theme_id = int(chosen["theme_id"])
st.markdown(f"#### {md(chosen['label'])}")
st.caption(
    f"Raised in {int(chosen['n_documents'])} of {int(cover.reviews)} reviews "
    f"({chosen['prevalence']:.0%}, 95% interval {chosen['ci_low']:.0%}–{chosen['ci_high']:.0%}), "
    f"{plural(int(chosen['n_areas']), 'area')} in {plural(int(chosen['n_regions']), 'region')}, "
    f"{int(chosen['n_passages'])} passages."
)
show_quotes(
    context, data.quotes(source, theme_id, filters, 3), with_context=False, section="picked_"
)
st.page_link(
    "app_pages/theme.py",
    label="Open the theme page",
    icon="➡️",
    query_params={"theme": str(theme_id)},
)

st.subheader("What changed in the latest run")
changes = data.changes(source)
if changes.previous_run_id is None:
    # A national report is read and quoted but is no review: it is counted apart.
    first = changes.new_documents
    reviews, national = (
        int((first["scope"] != "national").sum()),
        int((first["scope"] == "national").sum()),
    )
    st.caption(
        f"The first run: built on {plural(reviews, 'review')}"
        + (f" and {plural(national, 'national document')}" if national else "")
        + "."
    )
else:
    new_docs = changes.new_documents
    edited = new_docs["edited"].fillna(False).astype(bool)
    national_docs = new_docs[~edited & (new_docs["scope"] == "national")]
    added, versions = new_docs[~edited & (new_docs["scope"] != "national")], new_docs[edited]
    st.markdown(
        f"- {bold_count(len(added), 'review')} added"
        + (
            ": "
            + ", ".join(
                f"{md(t)} ({md(a)})" if pd.notna(a) else md(t)
                for t, a in zip(added["title"], added["area"], strict=True)
            )
            if len(added)
            else ""
        )
    )
    if len(national_docs):
        st.markdown(
            f"- {bold_count(len(national_docs), 'national document')} added (quoted, never "
            "counted as reviews): "
            + ", ".join(md(t) for t in national_docs["title"].fillna("untitled"))
        )
    if len(versions):  # a new version of a review already counted, not one more review
        st.markdown(
            f"- {bold_count(len(versions), 'review')} edited: "
            + ", ".join(
                f"{md(t)} ({md(a)})" if pd.notna(a) else md(t)
                for t, a in zip(versions["title"], versions["area"], strict=True)
            )
        )
    if len(changes.withdrawn):  # taken out by hand: why the counts fell
        st.markdown(
            f"- **{len(changes.withdrawn)}** withdrawn by hand: "
            + ", ".join(
                f"{md(t)} ({md(r)})" if pd.notna(r) and r else md(t)
                for t, r in zip(
                    changes.withdrawn["title"].fillna("untitled"),
                    changes.withdrawn["reason"],
                    strict=True,
                )
            )
        )
    new = [labels.get(t, t) for t in changes.new_theme_ids]
    # A theme the codebook merged has no passages of its own after the run: merged, not faded.
    into = {t: context.codebook.merge_target(t) for t in changes.dormant_theme_ids}
    merged = [(labels.get(t, t), labels.get(into[t], into[t])) for t in into if into[t] != t]
    # One the refit regrouped (a lineage merge or split) carried on in others, as the Theme
    # page's history says.
    regrouped = [
        (labels.get(t, t), [labels.get(o, o) for o in changes.carried_into[t]])
        for t in into
        if into[t] == t and t in changes.carried_into
    ]
    gone = [labels.get(t, t) for t in into if into[t] == t and t not in changes.carried_into]
    st.markdown(
        f"- {bold_count(len(new), 'new theme')}"
        + (": " + "; ".join(md(t) for t in new) if new else "")
    )
    st.markdown(
        f"- {bold_count(len(gone), 'theme')} went dormant"
        + (": " + "; ".join(md(t) for t in gone) if gone else "")
    )
    if merged:
        st.markdown(
            f"- {bold_count(len(merged), 'theme')} merged in the codebook: "
            + "; ".join(f"{md(a)} into {md(b)}" for a, b in merged)
        )
    if regrouped:
        st.markdown(
            f"- {bold_count(len(regrouped), 'theme')} regrouped into others"
            + (" by the refit" if changes.mode == "refit" else "")
            + ": "
            + "; ".join(f"{md(a)} into " + " and ".join(md(b) for b in to) for a, to in regrouped)
        )
