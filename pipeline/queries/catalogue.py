"""The reviews in the warehouse: documents, their sources and texts, coverage and place names.

Also the names a reader may give a theme (its id, its label, the start of its label) and which
theme each one means (`find_theme`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import duckdb
import pandas as pd

from pipeline.errors import FindingsError
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
    questions: int = 0  # of the passages, interviewers' questions: context, not evidence


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
        questions=int(reviews["n_questions"].sum()) if len(reviews) else 0,
    )


def place_names(con: duckdb.DuckDBPyConnection) -> frozenset[str]:
    """Lower-case gazetteer names and aliases (redaction leaves these alone)."""
    return frozenset(_sql.column(con, "catalogue", "place_names"))


class ThemeLookupError(FindingsError):
    """No theme, or more than one, goes by the name a reader gave."""


@dataclass(frozen=True)
class ThemeName:
    """A theme as a reader names it: its id and its label."""

    theme_id: int
    label: str
    lifecycle: str

    def __str__(self) -> str:
        return f"{self.label} #{self.theme_id}"


def theme_names(con: duckdb.DuckDBPyConnection) -> list[ThemeName]:
    """Every theme a reader may name (not those curated as not relevant), by id."""
    return [
        ThemeName(int(row["theme_id"]), str(row["label"]), str(row["lifecycle"]))
        for row in _sql.records(con, "catalogue", "theme_names")
    ]


def match_theme(names: Sequence[ThemeName], asked: str) -> ThemeName:
    """The one theme `asked` names: an id ('2' or '#2'), a label, or the start of one.

    Labels match whatever their case; an exact label wins over labels it is the start of
    ("Train" over "Training"), and those over labels with a later word it starts ("xanax" for
    "Fake Xanax bars"). Raises `ThemeLookupError` naming the candidates when the name
    fits several themes, and saying where the themes are listed when it fits none.
    """
    text = " ".join(asked.split())
    number = text.removeprefix("#")
    if number.isdigit():
        by_id = [name for name in names if name.theme_id == int(number)]
        if by_id:
            return by_id[0]
        raise ThemeLookupError(f"no theme #{number}: `findings query themes` lists them")
    folded = text.casefold()
    exact = [name for name in names if name.label.casefold() == folded]
    candidates = exact or [name for name in names if name.label.casefold().startswith(folded)]
    if not candidates:
        # "xanax" for "Fake Xanax bars": the start of a later word of the label.
        candidates = [
            name
            for name in names
            if any(tail.startswith(folded) for tail in words_from(name.label.casefold()))
        ]
    if len(candidates) == 1:
        return candidates[0]
    if not candidates or not folded:
        raise ThemeLookupError(
            f"no theme is called {text!r} or has a label starting so: "
            "`findings query themes` lists them"
        )
    listed = "; ".join(str(name) for name in candidates)
    raise ThemeLookupError(
        f"{text!r} could be {len(candidates)} themes: {listed} (give more of the label, or the id)"
    )


def words_from(label: str) -> list[str]:
    """Each tail of `label` that starts at a word ('fake xanax bars', 'xanax bars', 'bars')."""
    words = label.split()
    return [" ".join(words[at:]) for at in range(len(words))]


def find_theme(con: duckdb.DuckDBPyConnection, asked: str) -> ThemeName:
    """The theme `asked` names in this warehouse (see `match_theme`).

    An id of a theme curated as not relevant is refused as such, not as unknown.
    """
    try:
        return match_theme(theme_names(con), asked)
    except ThemeLookupError:
        number = " ".join(asked.split()).removeprefix("#")
        if number.isdigit():
            hidden = _sql.column(
                con, "catalogue", "theme_marked_not_relevant", {"theme": int(number)}
            )
            if hidden:
                raise ThemeLookupError(
                    f"theme #{number} ({hidden[0]}) is marked not relevant in the codebook: "
                    "its passages are no finding (take the mark off to see it again)"
                ) from None
        raise
