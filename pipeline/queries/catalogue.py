"""The reviews in the warehouse: documents, their sources and texts, coverage and place names."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb
import pandas as pd

from pipeline.queries import _sql
from pipeline.queries.filters import NO_FILTERS, Filters


def documents(con: duckdb.DuckDBPyConnection, filters: Filters = NO_FILTERS) -> pd.DataFrame:
    """The reviews that pass the filters."""
    return _sql.frame(con, "catalogue", "filtered_documents", filters.params())


def sources(con: duckdb.DuckDBPyConnection, filters: Filters = NO_FILTERS) -> pd.DataFrame:
    """The documents under the filters with their metadata, scope and passage counts.

    Locality reviews first, then national documents (under a place filter, those that mention a
    place inside it).
    """
    return _sql.frame(con, "catalogue", "sources", filters.params())


def document_texts(con: duckdb.DuckDBPyConnection, filters: Filters = NO_FILTERS) -> pd.DataFrame:
    """Documents under the filters with their canonical text (what every offset refers to)."""
    return _sql.frame(con, "catalogue", "document_texts", filters.params())


def coded_passages(con: duckdb.DuckDBPyConnection, filters: Filters = NO_FILTERS) -> pd.DataFrame:
    """Passages on a theme in the latest run, with offsets, provenance and metadata."""
    return _sql.frame(con, "catalogue", "coded_passages", filters.params())


@dataclass(frozen=True)
class Coverage:
    """How much evidence the filtered view rests on.

    Reviews, areas, regions, passages and dates are the locality reviews'; national documents
    under the filters are counted apart, as they are never a review.
    """

    reviews: int
    areas: int
    regions: int
    passages: int
    first_review: dt.date | None
    last_review: dt.date | None
    national_documents: int = 0


def coverage(con: duckdb.DuckDBPyConnection, filters: Filters = NO_FILTERS) -> Coverage:
    """Reviews, areas, regions, passages and date range under the filters."""
    return coverage_of(sources(con, filters))


def coverage_of(docs: pd.DataFrame) -> Coverage:
    """The coverage of a `sources` frame (for a caller that already holds one)."""
    national = docs["scope"] == "national"
    reviews = docs[~national]
    dates = reviews["review_date"].dropna()
    return Coverage(
        reviews=len(reviews),
        areas=int(reviews["area"].nunique()),
        regions=int(reviews["region"].nunique()),
        passages=int(reviews["n_passages"].sum()) if len(reviews) else 0,
        first_review=pd.Timestamp(dates.min()).date() if len(dates) else None,
        last_review=pd.Timestamp(dates.max()).date() if len(dates) else None,
        national_documents=int(national.sum()),
    )


def place_names(con: duckdb.DuckDBPyConnection) -> frozenset[str]:
    """Lower-case gazetteer names and aliases (redaction leaves these alone)."""
    return frozenset(_sql.column(con, "catalogue", "place_names"))
