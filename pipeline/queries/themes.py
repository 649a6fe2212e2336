"""Theme statistics: overview, counts, trends, places, comparisons, co-occurrence and the matrix.

The queries aggregate in the database; the statistics (Wilson intervals, Cochran-Armitage trends,
Fisher's exact comparisons, lifecycle status) come from `pipeline.analysis.statistics`.
Counts are of reviews (documents) first, passages second.

A theme's history (when it was first found, what it split from or merged with) comes from the
lineage each run records (`theme_lineage`). Trends are by review date over the latest run, so a
theme's trend already spans every period; what lineage adds is its family: with `lineage=True`
`theme_trend` counts the reviews raising the theme or any theme it split from, split into or
merged with, so a line a reader followed before a split or merge runs on at the level it had.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Literal

import duckdb
import pandas as pd

from pipeline.analysis.statistics import (
    cochran_armitage,
    compare_with_rest,
    theme_status,
    wilson_interval,
)
from pipeline.queries import _sql
from pipeline.queries.catalogue import documents
from pipeline.queries.filters import (
    LEVEL_COLUMNS,
    NO_FILTERS,
    Filters,
    Level,
    Period,
    level_column,
    period_label,
)
from pipeline.queries.runs import first_run_id, latest_run_id

OVERVIEW_COLUMNS = [
    "theme_id", "label", "heading", "n_documents", "n_areas", "n_regions", "n_passages",
    "prevalence", "ci_low", "ci_high", "trend_z", "trend_p", "status", "first_review",
    "last_review", "sparkline",
]  # fmt: skip


def themes_catalogue(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every theme with its label, description, keywords, heading and lifecycle."""
    return _sql.frame(con, "analytics", "theme_catalogue")


def theme_summary(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Themes that are not dormant, most passages first: id, label, status, heading, keywords."""
    # The theme stage's own listing, so that a run and the query layer list themes alike.
    return _sql.frame(con, "themes", "theme_summary")


def _with_labels(
    con: duckdb.DuckDBPyConnection,
    frame: pd.DataFrame,
    columns: dict[str, str],
    at: int | None = None,
) -> pd.DataFrame:
    """Add each theme's label: `columns` maps a new label column to its theme id column.

    The labels go in at position `at`, or at the end when it is None.
    """
    labels = themes_catalogue(con).set_index("theme_id")["label"]
    for offset, (name, theme_column) in enumerate(columns.items()):
        values = frame[theme_column].map(labels)
        if at is None:
            frame[name] = values
        else:
            frame.insert(at + offset, name, values)
    return frame


def _with_prevalence(frame: pd.DataFrame, raising: str, out_of: str) -> pd.DataFrame:
    """Add `prevalence` (raising / out_of) and its Wilson 95% interval (`ci_low`, `ci_high`)."""
    frame["prevalence"] = frame[raising] / frame[out_of]
    intervals = [
        wilson_interval(int(k), int(n)) for k, n in zip(frame[raising], frame[out_of], strict=True)
    ]
    frame["ci_low"] = [low for low, _ in intervals]
    frame["ci_high"] = [high for _, high in intervals]
    return frame


def _with_periods(frame: pd.DataFrame, period: Period, column: str = "review_date") -> pd.DataFrame:
    """Add a `period` column, as `period_label` writes it ('undated' where there is no date).

    Each distinct date is labelled once: frames can be 400k rows, but hold a few thousand dates.
    """
    frame = frame.copy()
    dates = pd.to_datetime(frame[column])
    distinct = pd.DatetimeIndex(dates.dropna().unique())
    labels = {date: period_label(date, period) for date in distinct}
    # object dtype first: with no date at all the mapped column is float NaN, and pandas will
    # refuse to fill a float column with text.
    frame["period"] = dates.map(labels).astype(object).fillna("undated")
    return frame


def _by_period(
    con: duckdb.DuckDBPyConnection, name: str, params: dict[str, object], period: Period
) -> pd.DataFrame:
    """A query grouped by `period_start` (SQL's date_trunc), with its periods labelled instead."""
    frame = _sql.frame(con, "analytics", name, params | {"period": period})
    return _with_periods(frame, period, "period_start").drop(columns="period_start")


def _raised(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """One row per (review, theme it raises) under the filters."""
    return _sql.frame(con, "analytics", "document_theme_rows", filters.params())


def theme_overview(
    con: duckdb.DuckDBPyConnection, filters: Filters = NO_FILTERS, period: Period = "year"
) -> pd.DataFrame:
    """Themes ranked by the reviews raising them, with prevalence, trend and status."""
    reviewed = _by_period(con, "reviews_by_period_region", filters.params(), period)
    counts = _by_period(con, "theme_period_region_counts", filters.params(), period)
    latest_run = latest_run_id(con)
    first_run = first_run_id(con)
    several_runs = bool(first_run and latest_run and first_run != latest_run)
    periods = sorted(p for p in reviewed["period"].unique() if p != "undated")
    totals = reviewed.groupby("period")["n_documents"].sum()
    n_reviews = int(reviewed["n_documents"].sum())
    half = len(periods) // 2
    early_periods, recent_periods = set(periods[:half]), set(periods[half:])
    reviewed_early = set(reviewed.loc[reviewed["period"].isin(early_periods), "region"].dropna())
    reviewed_recent = set(reviewed.loc[reviewed["period"].isin(recent_periods), "region"].dropna())
    # A few thousand small rows: plain dicts, as pandas' per-group indexing costs more than the
    # database's whole aggregate.
    catalogue = themes_catalogue(con).set_index("theme_id").to_dict("index")
    whole = counts[counts["whole_theme"]].set_index("theme_id").to_dict("index")
    per_period: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    regions: dict[int, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for theme_id, label, region, n in counts.loc[
        ~counts["whole_theme"], ["theme_id", "period", "region", "n_documents"]
    ].itertuples(index=False):
        # A review has one period and one region, so its theme's per-cell counts add up.
        per_period[theme_id][label] += int(n)
        if isinstance(region, str):
            half_of = "early" if label in early_periods else "recent"
            regions[theme_id]["all"].add(region)
            if label != "undated":
                regions[theme_id][half_of].add(region)
    rows = []
    for theme_id, theme in whole.items():
        if theme_id not in catalogue:
            continue
        meta, counted = catalogue[theme_id], per_period[theme_id]
        trend = cochran_armitage(
            [counted.get(p, 0) for p in periods], [int(totals.get(p, 0)) for p in periods]
        )
        early, recent = regions[theme_id]["early"], regions[theme_id]["recent"]
        rows.append(
            {
                "theme_id": int(theme_id),
                "label": meta["label"],
                "heading": meta["heading"],
                "n_documents": int(theme["n_documents"]),
                "n_areas": int(theme["n_areas"]),
                "n_regions": len(regions[theme_id]["all"]),
                "n_passages": int(theme["n_passages"]),
                "n_reviews": n_reviews,
                "trend_z": trend.z,
                "trend_p": trend.p_value,
                "status": theme_status(
                    lifecycle=meta["lifecycle"],
                    first_seen_latest=several_runs and meta["first_run_id"] == latest_run,
                    trend=trend,
                    reach_before=len(early) / max(len(reviewed_early), 1),
                    reach_recent=len(recent) / max(len(reviewed_recent), 1),
                    new_regions=len(recent - early),
                ),
                "first_review": theme["first_review"],
                "last_review": theme["last_review"],
                "sparkline": [counted.get(p, 0) for p in periods],
            }
        )
    overview = pd.DataFrame(rows)
    if overview.empty:  # no review under the filters: the same columns, no rows
        return pd.DataFrame(columns=OVERVIEW_COLUMNS)
    # A theme's reviews are among the filtered reviews, so n_reviews is never 0 here.
    overview = _with_prevalence(overview, "n_documents", "n_reviews")[OVERVIEW_COLUMNS]
    return overview.sort_values(
        ["n_documents", "n_areas", "n_passages", "theme_id"], ascending=[False, False, False, True]
    ).reset_index(drop=True)


def theme_counts(
    con: duckdb.DuckDBPyConnection,
    filters: Filters = NO_FILTERS,
    level: Level = "region",
    period: Period = "year",
) -> pd.DataFrame:
    """Theme x place x period: reviews, areas and passages raising each theme, and prevalence.

    Prevalence is the share of that place's reviews in that period that raise the theme, with a
    Wilson 95% interval.
    """
    params = filters.params() | {"level": level_column(level)}
    counts = _by_period(con, "theme_place_period_counts", params, period)
    counts.insert(2, "period", counts.pop("period").to_numpy())
    counts = _with_prevalence(counts, "n_documents", "period_documents")
    return _with_labels(con, counts, {"label": "theme_id"}, at=1)


def compare_place(
    con: duckdb.DuckDBPyConnection,
    level: Level,
    place: str,
    filters: Filters = NO_FILTERS,
) -> pd.DataFrame:
    """Each theme in one place against the rest of the country: lift and Fisher's exact test."""
    params = filters.without_place().params() | {"column": LEVEL_COLUMNS[level], "place": place}
    counts = _sql.frame(con, "analytics", "theme_place_comparison", params)
    rows = []
    for theme_id, in_place, elsewhere, place_total, rest_total in counts[
        ["theme_id", "in_place", "elsewhere", "place_documents", "elsewhere_documents"]
    ].itertuples(index=False):
        in_place, elsewhere = int(in_place), int(elsewhere)
        place_total, rest_total = int(place_total), int(rest_total)
        result = compare_with_rest(in_place, place_total, elsewhere, rest_total)
        rows.append(
            {
                "theme_id": int(theme_id),
                "place": place,
                "in_place": in_place,
                "place_documents": place_total,
                "elsewhere": elsewhere,
                "elsewhere_documents": rest_total,
                "prevalence_here": in_place / place_total if place_total else 0.0,
                "prevalence_elsewhere": elsewhere / rest_total if rest_total else 0.0,
                "lift": result.lift,
                "p_value": result.p_value,
                "significant": result.significant,
            }
        )
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    frame = _with_labels(con, frame, {"label": "theme_id"}, at=1)
    return frame.sort_values(["p_value", "theme_id"]).reset_index(drop=True)


@dataclass(frozen=True)
class LineageEvent:
    """One split or merge a run recorded (see migration 009_theme_lineage)."""

    run_id: str
    recorded_at: dt.datetime | None
    kind: str
    from_theme_ids: tuple[int, ...]
    to_theme_ids: tuple[int, ...]
    passages_moved: int


@dataclass(frozen=True)
class ThemeHistory:
    """When a theme was first found, and the splits and merges it took part in, oldest first."""

    theme_id: int
    first_run_id: str | None
    first_seen_at: dt.datetime | None
    events: list[LineageEvent]


def lineage_events(con: duckdb.DuckDBPyConnection) -> list[LineageEvent]:
    """Every split and merge of the succeeded runs, oldest first."""
    return [
        LineageEvent(
            run_id=row["run_id"],
            recorded_at=row["finished_at"],
            kind=row["kind"],
            from_theme_ids=tuple(row["from_theme_ids"]),
            to_theme_ids=tuple(row["to_theme_ids"]),
            passages_moved=int(row["passages_moved"]),
        )
        for row in _sql.records(con, "runs", "theme_lineage")
    ]


def theme_history(con: duckdb.DuckDBPyConnection, theme_id: int) -> ThemeHistory:
    """A theme's first run and the lineage events that name it."""
    first = _sql.record(con, "runs", "theme_first_seen", {"theme": theme_id}) or {}
    events = [
        event
        for event in lineage_events(con)
        if theme_id in event.from_theme_ids or theme_id in event.to_theme_ids
    ]
    return ThemeHistory(theme_id, first.get("first_run_id"), first.get("first_seen_at"), events)


def lineage_family(con: duckdb.DuckDBPyConnection, theme_id: int) -> set[int]:
    """The theme and every theme linked to it through splits and merges, transitively."""
    events = lineage_events(con)
    family = {theme_id}
    grew = True
    while grew:
        grew = False
        for event in events:
            linked = set(event.from_theme_ids) | set(event.to_theme_ids)
            if linked & family and not linked <= family:
                family |= linked
                grew = True
    return family


def theme_trend(
    con: duckdb.DuckDBPyConnection,
    theme_id: int,
    filters: Filters = NO_FILTERS,
    by: Literal["region", "area", "force", "police_force"] | None = None,
    period: Period = "year",
    lineage: bool = False,
) -> pd.DataFrame:
    """Reviews raising a theme per period (and per place), out of all reviews, with intervals.

    With `lineage`, a review counts when it raises the theme or any theme of its lineage family
    (`lineage_family`): once, however many of them it raises.
    """
    docs = _with_periods(documents(con, filters), period)
    raised = _with_periods(_raised(con, filters), period)
    family = lineage_family(con, theme_id) if lineage else {theme_id}
    raised = raised[raised["theme_id"].isin(family)]
    keys = ["period"] if by is None else [LEVEL_COLUMNS[by], "period"]
    totals = docs.groupby(keys, dropna=False).size().rename("documents")
    hits = raised.groupby(keys, dropna=False)["doc_id"].nunique().rename("raising")
    frame = pd.concat([totals, hits], axis=1).fillna(0).reset_index()
    frame["raising"] = frame["raising"].astype(int)
    frame = _with_prevalence(frame, "raising", "documents")
    return frame.sort_values(keys).reset_index(drop=True)


def theme_places(
    con: duckdb.DuckDBPyConnection,
    theme_id: int,
    filters: Filters = NO_FILTERS,
    level: Level = "region",
) -> pd.DataFrame:
    """Per place: reviews raising the theme out of the place's reviews, with intervals."""
    column = LEVEL_COLUMNS[level]
    docs = documents(con, filters)
    raised = _raised(con, filters)
    raised = raised[raised["theme_id"] == theme_id]
    totals = docs.groupby(column).size().rename("documents")
    hits = raised.groupby(column)["doc_id"].nunique().rename("raising")
    areas = raised.groupby(column)["area"].agg(lambda a: sorted(set(a.dropna()))).rename("areas")
    frame = pd.concat([totals, hits, areas], axis=1).reset_index(names="place")
    frame["raising"] = frame["raising"].fillna(0).astype(int)
    frame["areas"] = [a if isinstance(a, list) else [] for a in frame["areas"]]
    frame = _with_prevalence(frame, "raising", "documents")
    return frame.sort_values(["prevalence", "place"], ascending=[False, True]).reset_index(
        drop=True
    )


def cooccurrence(con: duckdb.DuckDBPyConnection, filters: Filters = NO_FILTERS) -> pd.DataFrame:
    """Pairs of themes raised in the same reviews, with lift and PMI (frequency-corrected)."""
    raised = _raised(con, filters)
    n_docs = len(documents(con, filters))
    sets = raised.groupby("theme_id")["doc_id"].apply(set).to_dict()
    rows = []
    ids = sorted(sets)
    for i, a in enumerate(ids):
        for b in ids[i + 1 :]:
            both = len(sets[a] & sets[b])
            if not both:
                continue
            expected = len(sets[a]) * len(sets[b]) / n_docs
            lift = both / expected
            rows.append(
                {
                    "theme_a": a,
                    "theme_b": b,
                    "n_documents": both,
                    "lift": lift,
                    "pmi": math.log2(lift),
                }
            )
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    frame = _with_labels(con, frame, {"label_a": "theme_a", "label_b": "theme_b"})
    return frame.sort_values(["lift", "n_documents"], ascending=False).reset_index(drop=True)


def framework_matrix(
    con: duckdb.DuckDBPyConnection,
    filters: Filters = NO_FILTERS,
    by: Literal["area", "review"] = "area",
) -> pd.DataFrame:
    """Rows areas (or reviews) x theme columns: passages and the most representative quote."""
    cells = _sql.frame(con, "analytics", "matrix_cells", filters.params() | {"by": by})
    return _with_labels(con, cells, {"label": "theme_id"}, at=2)
