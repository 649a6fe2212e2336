"""One theme: what it is, how it moves, where it is, and the words behind it."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from pipeline.access.memos import MemoTarget
from pipeline.analysis.statistics import p_said
from pipeline.queries import Filters
from pipeline.queries.themes import ThemeHistory, lineage_family, theme_history, theme_trend
from pipeline.viewer import charts, data
from pipeline.viewer.context import describe, page_context
from pipeline.viewer.literal import md
from pipeline.viewer.memos import MEMO_HELP, memo_section
from pipeline.viewer.widgets import STATUS_HELP, STATUS_TEXT, show_quotes


# The theme's history and its lineage family's trend, cached like pipeline/viewer/data.py's
# reads (per snapshot version and arguments).
@st.cache_data(ttl=data.TTL, show_spinner=False)
def history(source: data.Source, theme_id: int) -> ThemeHistory:
    """When the theme was first found, and its splits and merges."""
    return theme_history(data.cursor(source), theme_id)


@st.cache_data(ttl=data.TTL, show_spinner=False)
def family(source: data.Source, theme_id: int) -> set[int]:
    """The theme and the themes it split from, split into or merged with."""
    return lineage_family(data.cursor(source), theme_id)


@st.cache_data(ttl=data.TTL, show_spinner=False)
def family_trend(source: data.Source, theme_id: int, filters: Filters, period: str) -> pd.DataFrame:
    """Reviews raising the theme or any theme of its lineage family, per period."""
    return theme_trend(data.cursor(source), theme_id, filters, period=period, lineage=True)  # type: ignore[arg-type]


def named(theme_ids: tuple[int, ...], names: dict[int, str]) -> str:
    """Themes as a reader knows them: “label” (#id), joined with 'and'."""
    shown = [f"“{names.get(t, 'a theme no longer shown')}” (#{t})" for t in theme_ids]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]


def history_lines(found: ThemeHistory, names: dict[int, str]) -> list[str]:
    """The theme's history as plain sentences, oldest first."""
    lines = []
    if found.first_seen_at is not None:
        lines.append(f"First found by the run of {found.first_seen_at:%d %b %Y}.")
    for event in found.events:
        when = f"{event.recorded_at:%d %b %Y}" if event.recorded_at is not None else "Undated"
        verb = "split into" if event.kind == "split" else "merged into"
        lines.append(
            f"{when}: {named(event.from_theme_ids, names)} {verb} "
            f"{named(event.to_theme_ids, names)} ({event.passages_moved} earlier passages moved)."
        )
    return lines


context = page_context()
source, filters = context.source, context.filters
every_theme = data.curate(data.catalogue(source), context.codebook)
all_labels = dict(zip(every_theme["theme_id"].astype(int), every_theme["label"], strict=True))
asked = st.query_params.get("theme")
asked_id = int(asked) if asked and asked.isdigit() else None
# A dormant theme is listed only when asked for by its id (a bookmark, a lineage link).
catalogue = every_theme[
    (every_theme["lifecycle"] != "dormant") | (every_theme["theme_id"] == asked_id)
]
if catalogue.empty:
    st.info("No themes yet.")
    st.stop()
ids = catalogue["theme_id"].astype(int).tolist()
labels = dict(zip(ids, catalogue["label"], strict=True))
start = asked_id if asked_id in ids else ids[0]
if asked is not None and asked_id not in ids:
    st.warning(f"There is no theme #{md(asked)}: showing {md(labels[start])} (#{int(start)}).")
theme_id = st.selectbox(
    "Theme", ids, index=ids.index(start), format_func=lambda t: f"{labels[t]} (#{t})"
)
st.query_params["theme"] = str(theme_id)
meta = catalogue.set_index("theme_id").loc[theme_id]
overview = data.curate(data.overview(source, filters), context.codebook)
row = overview[overview["theme_id"] == theme_id]

st.title(md(meta["label"]))
curation = context.codebook.curations.get(theme_id)
parent = labels.get(curation.parent) if curation and curation.parent is not None else None
hierarchy = " › ".join(str(p) for p in (meta["heading"], parent, meta["label"]) if p)
st.caption(f"{md(hierarchy)} · theme #{int(theme_id)} · showing {describe(filters)}")
if meta["lifecycle"] == "dormant":
    st.info("This theme is dormant: the latest run placed no passage in it. Its history is below.")
st.caption(
    md(data.checked_by_people(context.settings, int(theme_id))),
    help="People coding a blind sample of passages, against the machine's themes "
    "(`findings validate`, or the Validate page): Cohen's κ with a bootstrap 95% interval.",
)
if meta["description"]:
    # A generated description quotes the passages: redacted as they are.
    st.text(data.redact([str(meta["description"])], context.settings, source)[0])
st.markdown(
    "**Keywords:** "
    + md(
        data.redact(
            [", ".join(list(meta["keywords"]) if meta["keywords"] is not None else [])],
            context.settings,
            source,
        )[0]
    )
)
merge = context.codebook.curations.get(theme_id)
if merge and merge.merge_into is not None:
    st.info(
        f"Marked to merge into “{md(labels.get(merge.merge_into, merge.merge_into))}” at the next "
        "run."
    )
st.subheader("History")
for line in history_lines(history(source, int(theme_id)), all_labels):
    st.markdown(md(line))
# Before the filters can stop the page: a theme's memos hold whatever the filters show.
st.subheader("Memos", help=MEMO_HELP)
memo_section(context, MemoTarget.theme, str(int(theme_id)), key="memo_theme")
if row.empty:
    st.info("No review under these filters raises this theme.")
    st.stop()
stats = row.iloc[0]
cols = st.columns(4)
cols[0].metric("Reviews raising it", int(stats["n_documents"]))
cols[1].metric("Areas", int(stats["n_areas"]))
cols[2].metric("Passages", int(stats["n_passages"]))
cols[3].metric("Status", md(STATUS_TEXT.get(stats["status"], stats["status"])), help=STATUS_HELP)

left, right = st.columns(2)
with left:
    st.subheader("Over time")
    period = (
        st.segmented_control("Period", ["year", "quarter"], default="year", key="theme_period")
        or "year"
    )
    lineage = len(family(source, int(theme_id))) > 1 and st.toggle(
        "With the themes it split from, into or merged with",
        key="theme_lineage",
        help="Counts a review raising this theme or any theme in its lineage, once.",
    )
    trend = (
        family_trend(source, int(theme_id), filters, period)
        if lineage
        else data.trend(source, theme_id, filters, period)
    )
    trend = trend[trend["period"] != "undated"]
    st.altair_chart(charts.trend_chart(trend), width="stretch")
    st.caption(
        f"Reviews raising it out of the period's reviews, with 95% intervals. Trend test "
        f"z = {stats['trend_z']:.2f}, {md(p_said(stats['trend_p']))}."
    )
with right:
    st.subheader("Where")
    level = (
        st.segmented_control(
            "By",
            ["region", "police_force"],
            default="region",
            key="theme_level",
            format_func=lambda v: "region" if v == "region" else "police force",
        )
        or "region"
    )
    places = data.theme_places(source, theme_id, filters, level)
    st.altair_chart(charts.place_bars(places), width="stretch")
    raising = places[places["raising"] > 0]
    areas = sorted({a for listed in raising["areas"] for a in listed})
    st.caption(f"Areas ({len(areas)}): " + md(", ".join(areas)))

st.subheader("What practitioners said")
limit = st.slider("Quotes", 5, 10, 6, key="theme_quotes")
evidence = data.theme_evidence(context.settings, source, int(theme_id), filters, limit)
if evidence.pending:
    st.caption(
        f"People have changed the theme of {int(evidence.pending)} passage"
        f"{'s' if evidence.pending != 1 else ''} since this snapshot's run: each theme's quotes "
        "show it now; the counts (reviews, passages, trends) take it in at the next run."
    )
if not evidence.put_here.empty:
    st.markdown("**Put under this theme by people**")
    show_quotes(context, evidence.put_here, section="put_")
    st.markdown("**Found by the machine**")
show_quotes(context, evidence.quotes)
if not evidence.taken_off.empty:
    st.markdown("**Taken off this theme by people** (not its evidence any more)")
    show_quotes(context, evidence.taken_off, with_context=False, section="off_")

st.subheader("Raised alongside")
pairs = data.curate(data.cooccurrence(source, filters), context.codebook)
if not pairs.empty:
    pairs = pairs[(pairs["theme_a"] == theme_id) | (pairs["theme_b"] == theme_id)]
if pairs.empty:
    st.caption("No other theme is raised in the same reviews.")
else:
    other_ids = [
        b if a == theme_id else a for a, b in zip(pairs["theme_a"], pairs["theme_b"], strict=True)
    ]
    other = [labels.get(int(t), str(t)) for t in other_ids]
    st.dataframe(
        pd.DataFrame(
            {
                "Theme": other,
                "Reviews raising both": pairs["n_documents"],
                "Lift": pairs["lift"].round(2),
            }
        ).head(8),
        hide_index=True,
        width="stretch",
    )
    st.caption("Lift > 1: raised together more often than their frequencies alone would predict.")
