"""Altair charts for the viewer: plain functions from query frames to charts.

Each chart carries its numbers as text or tooltips as well as marks, so it reads without colour
(and in grey print); no chart loads tiles or fonts from the internet.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from pipeline.analysis.statistics import MIN_PLACE_REVIEWS

PERCENT = alt.Axis(format="%")


def trend_chart(trend: pd.DataFrame) -> alt.Chart:
    """Share of reviews raising a theme per period, with its 95% interval and k/n labels."""
    data = trend.assign(
        label=[f"{k}/{n}" for k, n in zip(trend["raising"], trend["documents"], strict=True)]
    )
    base = alt.Chart(data).encode(
        x=alt.X("period:O", title=None, sort=None, axis=alt.Axis(labelAngle=0))
    )
    band = base.mark_errorbar(ticks=True).encode(
        y=alt.Y(
            "ci_low:Q",
            title="Share of reviews raising it",
            axis=PERCENT,
            scale=alt.Scale(domain=[0, 1]),
        ),
        y2="ci_high:Q",
    )
    line = base.mark_line(point=alt.OverlayMarkDef(size=70, filled=True)).encode(
        y="prevalence:Q",
        tooltip=[
            alt.Tooltip("period:O", title="Period"),
            alt.Tooltip("raising:Q", title="Reviews raising it"),
            alt.Tooltip("documents:Q", title="Reviews"),
            alt.Tooltip("prevalence:Q", title="Share", format=".0%"),
            alt.Tooltip("ci_low:Q", title="95% CI from", format=".0%"),
            alt.Tooltip("ci_high:Q", title="to", format=".0%"),
        ],
    )
    text = base.mark_text(dy=-14, fontSize=11).encode(y="prevalence:Q", text="label:N")
    return (band + line + text).properties(height=260)


def place_bars(places: pd.DataFrame, title: str = "Share of reviews raising it") -> alt.Chart:
    """Horizontal bars of prevalence per place, with intervals and k/n labels."""
    data = places.assign(
        label=[f"{k}/{n}" for k, n in zip(places["raising"], places["documents"], strict=True)]
    )
    base = alt.Chart(data).encode(
        y=alt.Y(
            "place:N",
            title=None,
            sort=alt.EncodingSortField("prevalence", order="descending"),
            axis=alt.Axis(labelOverlap=False, labelLimit=220),
        ),
    )
    bars = base.mark_bar(opacity=0.6, height={"band": 0.7}).encode(
        x=alt.X("prevalence:Q", title=title, axis=PERCENT, scale=alt.Scale(domain=[0, 1])),
        tooltip=[
            alt.Tooltip("place:N", title="Place"),
            alt.Tooltip("raising:Q", title="Reviews raising it"),
            alt.Tooltip("documents:Q", title="Reviews"),
            alt.Tooltip("prevalence:Q", title="Share", format=".0%"),
        ],
    )
    whiskers = base.mark_rule().encode(x="ci_low:Q", x2="ci_high:Q")
    text = base.mark_text(align="left", dx=4).encode(x="ci_high:Q", text="label:N")
    return (bars + whiskers + text).properties(height=max(120, 30 * len(data)))


def place_label(place: str, reviews: int) -> str:
    """A place as a heatmap column names it: 'North East · 1 review'."""
    return f"{place} · {reviews} review{'s' if reviews != 1 else ''}"


def heatmap(
    counts: pd.DataFrame, labels: dict[int, str], small: int = MIN_PLACE_REVIEWS
) -> alt.Chart:
    """Themes x places: each cell prints k/n (reviews raising it of the place's reviews).

    The shade is the share; every row and column label is shown in full, a column names its
    number of reviews, and a place with fewer than `small` reviews is drawn faint, as nothing
    there can be significant.
    """
    data = counts.assign(
        theme=counts["theme_id"].map(labels),
        column=[
            place_label(p, int(n))
            for p, n in zip(counts["place"], counts["place_documents"], strict=True)
        ],
        text=[
            f"{k}/{n}"
            for k, n in zip(counts["n_documents"], counts["place_documents"], strict=True)
        ],
        few=counts["place_documents"] < small,
    )
    # Columns in the order of their places' reviews, most first, so small places sit together.
    columns = (
        data.drop_duplicates("column")
        .sort_values(["place_documents", "place"], ascending=[False, True])["column"]
        .tolist()
    )
    full = {"labelLimit": 0, "labelOverlap": False}  # 0: never cut a label short
    base = alt.Chart(data).encode(
        x=alt.X(
            "column:N",
            title=None,
            sort=columns,
            axis=alt.Axis(labelAngle=-40, orient="top", **full),
        ),
        y=alt.Y(
            "theme:N",
            title=None,
            sort=alt.EncodingSortField("n_documents", "sum", "descending"),
            axis=alt.Axis(**full),
        ),
    )
    cells = base.mark_rect(stroke="white").encode(
        color=alt.Color(
            "prevalence:Q",
            title="Share of reviews",
            scale=alt.Scale(scheme="greys", domain=[0, 1]),
            legend=alt.Legend(format="%"),
        ),
        opacity=alt.condition("datum.few", alt.value(0.35), alt.value(1.0)),
        tooltip=[
            alt.Tooltip("theme:N", title="Theme"),
            alt.Tooltip("place:N", title="Place"),
            alt.Tooltip("n_documents:Q", title="Reviews raising it"),
            alt.Tooltip("place_documents:Q", title="Reviews"),
            alt.Tooltip("prevalence:Q", title="Share", format=".0%"),
        ],
    )
    text = base.mark_text(fontSize=10).encode(
        text="text:N",
        color=alt.condition(
            "datum.prevalence > 0.55 && !datum.few", alt.value("white"), alt.value("black")
        ),
    )
    return (cells + text).properties(height=max(200, 26 * data["theme"].nunique()))


def lift_chart(comparison: pd.DataFrame, labels: dict[int, str]) -> alt.Chart:
    """A place against the rest: share here vs elsewhere per theme; * marks p < 0.05."""
    rows = []
    for row in comparison.itertuples():
        theme = labels.get(int(row.theme_id), str(row.theme_id)) + (" *" if row.significant else "")
        rows += [
            {"theme": theme, "where": "here", "share": row.prevalence_here},
            {"theme": theme, "where": "rest of the country", "share": row.prevalence_elsewhere},
        ]
    data = pd.DataFrame(rows)
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("where:N", title=None, axis=alt.Axis(labels=False, ticks=False)),
            x=alt.X("share:Q", title="Share of reviews raising it", axis=PERCENT),
            # shade and the row facet label both tell "here" from "rest": not colour alone
            color=alt.Color(
                "where:N",
                scale=alt.Scale(range=["#333333", "#bbbbbb"]),
                title=None,
                legend=alt.Legend(orient="top"),
            ),
            row=alt.Row("theme:N", title=None, header=alt.Header(labelAngle=0, labelAlign="left")),
            tooltip=["theme", "where", alt.Tooltip("share:Q", format=".0%")],
        )
        .properties(height=28)
    )
