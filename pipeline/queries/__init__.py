"""The one query layer: the viewer, the CLI and the exports read the warehouse only through here.

Every function takes an open (read-only is enough) DuckDB connection and `Filters`, and returns
a pandas DataFrame. Counts are of reviews (documents) first, passages second.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Literal

import duckdb
import numpy as np
import pandas as pd

from pipeline.analysis.statistics import (
    cochran_armitage,
    compare_with_rest,
    theme_status,
    wilson_interval,
)
from pipeline.errors import SearchIndexError
from pipeline.storage import named_queries
from pipeline.storage.search_index import load_fts, search_index_exists

if TYPE_CHECKING:
    import torch

Level = Literal["area", "police_force", "region", "nation", "national"]
Period = Literal["month", "quarter", "year"]
LEVEL_COLUMNS: dict[str, str] = {
    "area": "area",
    "force": "police_force",
    "police_force": "police_force",
    "region": "region",
    "nation": "nation",
}


DOCUMENT_TYPE_NAMES = {
    "report": "Review reports",
    "transcript": "Interview transcripts",
    "notes": "Reviewer's notes",
    "focus_group": "Focus groups",
}


@dataclass(frozen=True)
class Filters:
    """Which reviews to look at; None means no restriction. `until` is exclusive."""

    region: str | None = None
    area: str | None = None
    police_force: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    doc_type: str | None = None

    def params(self) -> dict[str, object]:
        """Named parameters for the SQL filters."""
        values = asdict(self)
        values["force"] = values.pop("police_force")
        return values

    def describe(self) -> str:
        """The filters in words ('Croydon, London, from Jan 2018'), for captions and reports."""
        force = f"{self.police_force} police" if self.police_force else None
        parts = [v for v in (self.area, self.region, force) if v]
        if self.doc_type:
            parts.append(DOCUMENT_TYPE_NAMES.get(self.doc_type, self.doc_type).lower())
        if self.since:
            parts.append(f"from {self.since:%b %Y}")
        if self.until:
            parts.append(f"to {self.until - dt.timedelta(days=1):%b %Y}")
        return ", ".join(parts) if parts else "all reviews"

    def without_place(self) -> Filters:
        """The same filters for the whole country."""
        return Filters(since=self.since, until=self.until, doc_type=self.doc_type)


def _sql(name: str) -> str:
    return named_queries("analytics")[name]


def _frame(con: duckdb.DuckDBPyConnection, name: str, params: dict[str, object]) -> pd.DataFrame:
    return con.execute(_sql(name), params).df()


def period_label(date: dt.date, period: Period) -> str:
    """'2019', '2019-Q3' or '2019-07'."""
    if period == "year":
        return f"{date.year}"
    if period == "quarter":
        return f"{date.year}-Q{(date.month - 1) // 3 + 1}"
    return f"{date.year}-{date.month:02d}"


def documents(con: duckdb.DuckDBPyConnection, filters: Filters = Filters()) -> pd.DataFrame:
    """The reviews that pass the filters."""
    return _frame(con, "filtered_documents", filters.params())


def _raised(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    return _frame(con, "document_theme_rows", filters.params())


def themes_catalogue(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every theme with its label, description, keywords, heading and lifecycle."""
    return con.execute(_sql("theme_catalogue")).df()


def _with_periods(frame: pd.DataFrame, period: Period, column: str = "review_date") -> pd.DataFrame:
    """Add a `period` column, as `period_label` writes it ('undated' where there is no date).

    Each distinct date is labelled once: frames can be 400k rows, but hold a few thousand dates.
    """
    frame = frame.copy()
    dates = pd.to_datetime(frame[column])
    distinct = pd.DatetimeIndex(dates.dropna().unique())
    labels = {date: period_label(date, period) for date in distinct}
    frame["period"] = dates.map(labels).fillna("undated")
    return frame


def _by_period(
    con: duckdb.DuckDBPyConnection, name: str, params: dict[str, object]
) -> pd.DataFrame:
    """A query grouped by `period_start` (SQL's date_trunc), with its periods labelled instead."""
    frame = _frame(con, name, params)
    return _with_periods(frame, params["period"], "period_start").drop(columns="period_start")  # type: ignore[arg-type]


def theme_overview(
    con: duckdb.DuckDBPyConnection, filters: Filters = Filters(), period: Period = "year"
) -> pd.DataFrame:
    """Themes ranked by the reviews raising them, with prevalence, trend and status."""
    params = filters.params() | {"period": period}
    reviewed = _by_period(con, "reviews_by_period_region", params)
    counts = _by_period(con, "theme_period_region_counts", params)
    runs = con.execute(_sql("latest_run_id")).fetchone()
    first = con.execute(_sql("first_run_id")).fetchone()
    latest_run = runs[0] if runs else None
    several_runs = bool(first and latest_run and first[0] != latest_run)
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
        n_docs = int(theme["n_documents"])
        low, high = wilson_interval(n_docs, n_reviews)
        rows.append(
            {
                "theme_id": int(theme_id),
                "label": meta["label"],
                "heading": meta["heading"],
                "n_documents": n_docs,
                "n_areas": int(theme["n_areas"]),
                "n_regions": len(regions[theme_id]["all"]),
                "n_passages": int(theme["n_passages"]),
                "prevalence": n_docs / n_reviews if n_reviews else 0.0,
                "ci_low": low,
                "ci_high": high,
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
    if overview.empty:
        return overview
    return overview.sort_values(
        ["n_documents", "n_areas", "n_passages", "theme_id"], ascending=[False, False, False, True]
    ).reset_index(drop=True)


def theme_counts(
    con: duckdb.DuckDBPyConnection,
    filters: Filters = Filters(),
    level: Level = "region",
    period: Period = "year",
) -> pd.DataFrame:
    """Theme x place x period: reviews, areas and passages raising each theme, and prevalence.

    Prevalence is the share of that place's reviews in that period that raise the theme, with a
    Wilson 95% interval.
    """
    counts = _by_period(con, "theme_place_period_counts", filters.params() | {
        "level": level, "period": period,
    })  # fmt: skip
    counts.insert(2, "period", counts.pop("period").to_numpy())
    counts["prevalence"] = counts["n_documents"] / counts["period_documents"]
    intervals = [
        wilson_interval(int(k), int(n))
        for k, n in zip(counts["n_documents"], counts["period_documents"], strict=True)
    ]
    counts["ci_low"] = [low for low, _ in intervals]
    counts["ci_high"] = [high for _, high in intervals]
    labels = themes_catalogue(con).set_index("theme_id")["label"]
    counts.insert(1, "label", counts["theme_id"].map(labels))
    return counts


def compare_place(
    con: duckdb.DuckDBPyConnection,
    level: Level,
    place: str,
    filters: Filters = Filters(),
) -> pd.DataFrame:
    """Each theme in one place against the rest of the country: lift and Fisher's exact test."""
    counts = _frame(con, "theme_place_comparison", filters.without_place().params() | {
        "column": LEVEL_COLUMNS[level], "place": place,
    })  # fmt: skip
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
    labels = themes_catalogue(con).set_index("theme_id")["label"]
    frame.insert(1, "label", frame["theme_id"].map(labels))
    return frame.sort_values(["p_value", "theme_id"]).reset_index(drop=True)


def theme_trend(
    con: duckdb.DuckDBPyConnection,
    theme_id: int,
    filters: Filters = Filters(),
    by: Literal["region", "area", "force"] | None = None,
    period: Period = "year",
) -> pd.DataFrame:
    """Reviews raising a theme per period (and per place), out of all reviews, with intervals."""
    docs = _with_periods(documents(con, filters), period)
    raised = _with_periods(_raised(con, filters), period)
    raised = raised[raised["theme_id"] == theme_id]
    keys = ["period"] if by is None else [LEVEL_COLUMNS[by], "period"]
    totals = docs.groupby(keys, dropna=False).size().rename("documents")
    hits = raised.groupby(keys, dropna=False)["doc_id"].nunique().rename("raising")
    frame = pd.concat([totals, hits], axis=1).fillna(0).reset_index()
    frame["raising"] = frame["raising"].astype(int)
    frame["prevalence"] = frame["raising"] / frame["documents"]
    intervals = [
        wilson_interval(int(k), int(n))
        for k, n in zip(frame["raising"], frame["documents"], strict=True)
    ]
    frame["ci_low"] = [low for low, _ in intervals]
    frame["ci_high"] = [high for _, high in intervals]
    return frame.sort_values(keys).reset_index(drop=True)


def quotes(
    con: duckdb.DuckDBPyConnection, theme_id: int, filters: Filters = Filters(), limit: int = 10
) -> pd.DataFrame:
    """The passages behind a theme, most representative first, with their provenance."""
    return _frame(con, "quotes", filters.params() | {"theme": theme_id, "limit": limit})


def cooccurrence(con: duckdb.DuckDBPyConnection, filters: Filters = Filters()) -> pd.DataFrame:
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
    labels = themes_catalogue(con).set_index("theme_id")["label"]
    frame["label_a"] = frame["theme_a"].map(labels)
    frame["label_b"] = frame["theme_b"].map(labels)
    return frame.sort_values(["lift", "n_documents"], ascending=False).reset_index(drop=True)


def framework_matrix(
    con: duckdb.DuckDBPyConnection,
    filters: Filters = Filters(),
    by: Literal["area", "review"] = "area",
) -> pd.DataFrame:
    """Rows areas (or reviews) x theme columns: passages and the most representative quote."""
    cells = _frame(con, "matrix_cells", filters.params() | {"by": by})
    labels = themes_catalogue(con).set_index("theme_id")["label"]
    cells.insert(2, "label", cells["theme_id"].map(labels))
    return cells


SEARCH_COLUMNS = [
    "passage_id", "text", "title", "area", "region", "review_date", "speaker", "score", "theme_id",
]  # fmt: skip


def _passing(
    con: duckdb.DuckDBPyConnection,
    best: Callable[[int], list[str]],
    available: int,
    filters: Filters,
    limit: int,
) -> pd.DataFrame:
    """The passages among the `best(wanted)` ids that pass the filters, widening until `limit`.

    A search ranks the whole corpus without reading it; only the few best passages are looked up,
    by key, so a query on a million passages reads tens of rows, not a million.
    """
    wanted = limit * 5
    while True:
        found = _frame(con, "passages_by_id", filters.params() | {"ids": best(wanted)})
        if len(found) >= limit or wanted >= available:
            return found
        wanted *= 8


def _ranked(found: pd.DataFrame, rank: dict[str, int], limit: int) -> pd.DataFrame:
    """The found passages in the search's order, best first."""
    found["rank"] = found["passage_id"].map(rank)
    found = found.sort_values("rank").head(limit).drop(columns="rank")
    return found[SEARCH_COLUMNS].reset_index(drop=True)


def search_keyword(
    con: duckdb.DuckDBPyConnection, query: str, filters: Filters = Filters(), limit: int = 20
) -> pd.DataFrame:
    """Passages ranked by BM25 (DuckDB full-text search) for a query, bound as a parameter.

    Equal scores keep the index's order (the order passages were stored in).
    """
    load_fts(con)
    try:
        terms = [row[0] for row in con.execute(_sql("keyword_terms"), {"query": query}).fetchall()]
        hits = con.execute(_sql("keyword_scores"), {"termids": terms}).fetchnumpy()
    except duckdb.CatalogException as exc:
        if search_index_exists(con):
            raise
        # A snapshot published by an older version: say so rather than fail on a missing table.
        raise SearchIndexError(
            "this database has no up-to-date keyword index (it was built by an older Findings "
            "or before any ingest); the next `findings run` rebuilds it. Search by meaning "
            "works meanwhile."
        ) from exc
    rows, scores = np.asarray(hits["docid"]), np.asarray(hits["score"], dtype=np.float64)
    if not len(rows):
        return pd.DataFrame(columns=SEARCH_COLUMNS)
    order = np.lexsort((rows, -scores))
    ranked: list[str] = []

    def best(wanted: int) -> list[str]:
        new = [int(row) for row in rows[order[len(ranked) : wanted]]]
        passage_of = dict(
            con.execute(_sql("passage_ids_of_index_rows"), {"docids": new}).fetchall()
        )
        ranked.extend(passage_of[row] for row in new)
        return ranked

    found = _passing(con, best, len(rows), filters, limit)
    rank = {passage_id: position for position, passage_id in enumerate(ranked)}
    score_of = {passage_id: float(scores[order[rank[passage_id]]]) for passage_id in ranked}
    found["score"] = found["passage_id"].map(score_of)
    themes = dict(
        con.execute(
            _sql("current_themes_of_passages"), {"ids": found["passage_id"].tolist()}
        ).fetchall()
    )
    found["theme_id"] = pd.array([themes.get(i) for i in found["passage_id"]], dtype="Int32")
    return _ranked(found, rank, limit)


@dataclass(frozen=True)
class _VectorIndex:
    """Passage vectors (float16) and each passage's current theme (-1: none), rows aligned."""

    ids: list[str]
    vectors: torch.Tensor
    themes: np.ndarray


_VECTOR_CACHE: dict[tuple[str, str, int, str], _VectorIndex] = {}


def _vector_index(con: duckdb.DuckDBPyConnection, model: str) -> _VectorIndex:
    """Passage vectors and current themes, read once per database file, content and theme run.

    Vectors are held as float16: a search reads half the memory (at a million passages the
    product with the query is memory-bound: 47 ms instead of 78 ms) and the cache is half the size,
    while cosine scores stay within 3e-4 of float32's (measured on the sample corpus;
    tests/queries holds them within 1e-3).
    The themes ride along so that a search need not look them up among a million rows.
    """
    from pipeline.embed.models import passage_vectors

    database = con.execute(
        "SELECT file FROM pragma_database_list WHERE name = current_database()"
    ).fetchone()
    count = con.execute(_sql("embedding_count"), {"model": model}).fetchone()[0]
    passages = con.execute("SELECT count(*) FROM passages").fetchone()[0]
    run = con.execute(_sql("latest_run_id")).fetchone()
    key = (
        str(database[0] if database else ""),
        model,
        int(count) * 1_000_003 + int(passages),
        run[0] if run else "",
    )
    if key not in _VECTOR_CACHE:
        import torch

        _VECTOR_CACHE.clear()
        ids, vectors = passage_vectors(con, model)
        theme_of = dict(con.execute(_sql("current_theme_of_passages")).fetchall())
        themes = np.array([theme_of.get(i, -1) for i in ids], dtype=np.int32)
        _VECTOR_CACHE[key] = _VectorIndex(ids, torch.from_numpy(vectors.astype(np.float16)), themes)
    return _VECTOR_CACHE[key]


def _best(scores: np.ndarray, count: int) -> np.ndarray:
    """Indices of the `count` highest scores, best first."""
    if count >= len(scores):
        return np.argsort(-scores, kind="stable")
    top = np.argpartition(-scores, count - 1)[:count]
    return top[np.argsort(-scores[top], kind="stable")]


def search_semantic(
    con: duckdb.DuckDBPyConnection,
    query: str,
    embedder: object,
    filters: Filters = Filters(),
    limit: int = 10,
) -> pd.DataFrame:
    """Passages nearest in meaning to a query (cosine over every cached passage vector)."""
    import torch

    index = _vector_index(con, embedder.name)  # type: ignore[attr-defined]
    ids = index.ids
    if not ids:
        return pd.DataFrame(columns=SEARCH_COLUMNS)
    query_vector = embedder.embed_batch([query])[0]  # type: ignore[attr-defined]
    scores = (index.vectors @ torch.from_numpy(query_vector.astype(np.float16))).float().numpy()
    top = np.zeros(0, dtype=np.int64)

    def best(wanted: int) -> list[str]:
        # A partial sort: O(n), not O(n log n).
        nonlocal top
        top = _best(scores, wanted)
        return [ids[i] for i in top]

    found = _passing(con, best, len(ids), filters, limit)
    score_of = {ids[i]: float(scores[i]) for i in top}
    theme_of = {ids[i]: int(index.themes[i]) for i in top if index.themes[i] != -1}
    found["score"] = found["passage_id"].map(score_of)
    found["theme_id"] = pd.array([theme_of.get(i) for i in found["passage_id"]], dtype="Int32")
    rank = {
        passage_id: position
        for position, passage_id in enumerate(
            sorted(score_of, key=lambda passage_id: (-score_of[passage_id], passage_id))
        )
    }
    return _ranked(found, rank, limit)


@dataclass(frozen=True)
class FilterOptions:
    """What the filters can choose from."""

    regions: list[str]
    areas: list[str]
    forces: list[str]
    doc_types: list[str]
    first_review: dt.date | None
    last_review: dt.date | None


def filter_options(con: duckdb.DuckDBPyConnection) -> FilterOptions:
    """The regions, areas, police forces, document types and date range in the warehouse."""
    row = con.execute(_sql("filter_options")).fetchone()
    return FilterOptions(*(list(v) if isinstance(v, list) else v for v in row))


@dataclass(frozen=True)
class Coverage:
    """How much evidence the filtered view rests on."""

    reviews: int
    areas: int
    regions: int
    passages: int
    first_review: dt.date | None
    last_review: dt.date | None


def coverage(con: duckdb.DuckDBPyConnection, filters: Filters = Filters()) -> Coverage:
    """Reviews, areas, regions, passages and date range under the filters."""
    docs = sources(con, filters)
    dates = docs["review_date"].dropna()
    return Coverage(
        reviews=len(docs),
        areas=int(docs["area"].nunique()),
        regions=int(docs["region"].nunique()),
        passages=int(docs["n_passages"].sum()) if len(docs) else 0,
        first_review=pd.Timestamp(dates.min()).date() if len(dates) else None,
        last_review=pd.Timestamp(dates.max()).date() if len(dates) else None,
    )


def sources(con: duckdb.DuckDBPyConnection, filters: Filters = Filters()) -> pd.DataFrame:
    """The documents under the filters with their metadata and passage counts."""
    return _frame(con, "sources", filters.params())


def ingest_errors(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every file that failed or was ingested with a warning, and why."""
    return con.execute(_sql("ingest_errors")).df()


def run_history(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Theme runs, newest first."""
    return con.execute(_sql("run_history")).df()


@dataclass(frozen=True)
class Changes:
    """What the latest run changed compared with the one before it."""

    run_id: str | None
    finished_at: dt.datetime | None
    previous_run_id: str | None
    new_documents: pd.DataFrame
    new_theme_ids: list[int]
    dormant_theme_ids: list[int]


def changes_since_previous_run(con: duckdb.DuckDBPyConnection) -> Changes:
    """Reviews added and themes born or gone dormant in the latest successful run."""
    runs = run_history(con)
    runs = runs[runs["status"] == "succeeded"]
    empty = pd.DataFrame(columns=["title", "area", "region", "review_date", "doc_type"])
    if runs.empty:
        return Changes(None, None, None, empty, [], [])
    latest = runs.iloc[0]
    previous = runs.iloc[1] if len(runs) > 1 else None
    catalogue = themes_catalogue(con)
    if previous is None:
        # the first run: everything is new, which says nothing; list what it was built on
        added = con.execute(_sql("documents_since"), {"since": dt.datetime(1, 1, 1)}).df()
        return Changes(latest["run_id"], latest["finished_at"], None, added, [], [])
    added = con.execute(_sql("documents_since"), {"since": previous["finished_at"]}).df()
    new = catalogue.loc[catalogue["first_run_id"] == latest["run_id"], "theme_id"]
    dormant = con.execute(_sql("themes_gone_dormant"), {"previous": previous["run_id"]}).fetchall()
    return Changes(
        latest["run_id"],
        latest["finished_at"],
        previous["run_id"],
        added,
        [int(t) for t in new],
        [int(t) for (t,) in dormant],
    )


def passage_context(
    con: duckdb.DuckDBPyConnection, passage_id: str, width: int = 1
) -> pd.DataFrame:
    """A passage and its `width` neighbours either side in its document."""
    return _frame(con, "passage_context", {"passage": passage_id, "width": width})


def theme_places(
    con: duckdb.DuckDBPyConnection,
    theme_id: int,
    filters: Filters = Filters(),
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
    frame["prevalence"] = frame["raising"] / frame["documents"]
    intervals = [
        wilson_interval(int(k), int(n))
        for k, n in zip(frame["raising"], frame["documents"], strict=True)
    ]
    frame["ci_low"] = [low for low, _ in intervals]
    frame["ci_high"] = [high for _, high in intervals]
    return frame.sort_values(["prevalence", "place"], ascending=[False, True]).reset_index(
        drop=True
    )


def place_names(con: duckdb.DuckDBPyConnection) -> frozenset[str]:
    """Lower-case gazetteer names and aliases (redaction leaves these alone)."""
    return frozenset(name for (name,) in con.execute(_sql("place_names")).fetchall())


def coded_passages(con: duckdb.DuckDBPyConnection, filters: Filters = Filters()) -> pd.DataFrame:
    """Passages on a theme in the latest run, with offsets, provenance and metadata."""
    return _frame(con, "coded_passages", filters.params())


def document_texts(con: duckdb.DuckDBPyConnection, filters: Filters = Filters()) -> pd.DataFrame:
    """Documents under the filters with their canonical text (what every offset refers to)."""
    return _frame(con, "document_texts", filters.params())


def latest_run(con: duckdb.DuckDBPyConnection) -> dict[str, object] | None:
    """The latest successful theme run: id, times, model and parameters."""
    frame = con.execute(_sql("latest_run")).df()
    return None if frame.empty else frame.iloc[0].to_dict()
