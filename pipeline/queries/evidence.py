"""The evidence behind a theme: its most representative passages and the text around one.

And one passage as a reader asks for it by id (or the start of one, as a drafted report prints
it): `find_passage_id`, then `passage_view` for its provenance, theme and neighbours.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb
import pandas as pd

from pipeline.errors import FindingsError
from pipeline.queries import _sql
from pipeline.queries.filters import NO_FILTERS, Filters

NATIONAL_REPORT = "national report"
MENTIONED_IN_NATIONAL = "mentioned in a national report"


def source_kind(scope: object, via_mention: object) -> str | None:
    """How a quote's document relates to the view: None for a locality review, else in words.

    A national document's passage is found under a place filter only because it names a place
    inside it ("mentioned in a national report"); without one it is simply a national report.
    """
    if scope != "national":
        return None
    mentioned = via_mention is not None and not pd.isna(via_mention) and bool(via_mention)
    return MENTIONED_IN_NATIONAL if mentioned else NATIONAL_REPORT


def quotes(
    con: duckdb.DuckDBPyConnection, theme_id: int, filters: Filters = NO_FILTERS, limit: int = 10
) -> pd.DataFrame:
    """The passages behind a theme, most representative first, with their provenance."""
    params = filters.params() | {"theme": theme_id, "limit": limit}
    return _sql.frame(con, "evidence", "quotes", params)


def passage_context(
    con: duckdb.DuckDBPyConnection, passage_id: str, width: int = 1
) -> pd.DataFrame:
    """A passage and its `width` neighbours either side in its document."""
    return _sql.frame(con, "evidence", "passage_context", {"passage": passage_id, "width": width})


# How many of a prefix's passages to name when it fits several (enough to see why, not a page).
AMBIGUOUS_SHOWN = 5
# How much of an id a reader sees: the drafted report prints passage ids to this many characters.
SHORT_ID = 12


class PassageLookupError(FindingsError):
    """No passage, or more than one, has the id (or id prefix) a reader gave."""


def find_passage_id(con: duckdb.DuckDBPyConnection, asked: str) -> str:
    """The full id of the one passage whose id is, or starts with, `asked`.

    Raises `PassageLookupError` when none does, or when several do (naming a few of them).
    """
    prefix = asked.strip().lower()
    if not prefix:
        raise PassageLookupError("give a passage id (or its first 12 characters)")
    found = _sql.column(
        con, "evidence", "passages_starting_with", {"prefix": prefix, "limit": AMBIGUOUS_SHOWN + 1}
    )
    if not found:
        # An id printed before its document was edited: the passage with its text now.
        found = _successors(con, prefix)
    if len(found) == 1:
        return str(found[0])
    if not found and _sql.column(con, "evidence", "themed_once_starting_with", {"prefix": prefix}):
        raise PassageLookupError(
            f"passage {prefix!r} is no longer in the warehouse: its review was withdrawn "
            "(`findings status` lists withdrawn reviews) or an edit changed its text"
        )
    if not found:
        raise PassageLookupError(
            f"no passage id starts with {prefix!r}: ids come from `findings search`, "
            "`findings query quotes` or a drafted report"
        )
    shown = ", ".join(str(passage_id)[:SHORT_ID] for passage_id in found[:AMBIGUOUS_SHOWN])
    more = " and more" if len(found) > AMBIGUOUS_SHOWN else ""
    raise PassageLookupError(
        f"{prefix!r} starts the ids of several passages ({shown}{more}): give more of the id"
    )


def _successors(con: duckdb.DuckDBPyConnection, prefix: str) -> list[object]:
    """The current passages that retired passages starting with `prefix` were kept as."""
    # Readers open only snapshots of this schema (publish.expected_versions), so the table is there.
    return _sql.column(
        con,
        "evidence",
        "successors_starting_with",
        {"prefix": prefix, "limit": AMBIGUOUS_SHOWN + 1},
    )


@dataclass(frozen=True)
class Neighbour:
    """A passage next to the one asked for, in reading order."""

    passage_id: str
    ordinal: int
    text: str
    speaker: str | None
    speaker_role: str | None
    is_quote: bool


@dataclass(frozen=True)
class PassageView:
    """One passage with where it comes from, the theme it is on and the passages around it.

    Metadata a document lacks is None (the seed report has no area and may have no date);
    `theme_id` is None when the latest run put the passage on no theme.
    """

    passage_id: str
    doc_id: str
    ordinal: int
    text: str
    section: str | None
    speaker: str | None
    speaker_role: str | None
    title: str
    area: str | None
    region: str | None
    police_force: str | None
    review_date: dt.date | None
    review_date_precision: str | None  # 'month' when only the month is known
    doc_type: str | None
    scope: str
    theme_id: int | None
    theme_label: str | None
    probability: float | None
    context: list[Neighbour]


def passage_view(con: duckdb.DuckDBPyConnection, passage_id: str, width: int = 1) -> PassageView:
    """A passage (by its full id), its provenance and theme, and `width` neighbours either side."""
    row = _sql.record(con, "evidence", "passage_detail", {"passage": passage_id})
    if row is None:
        raise PassageLookupError(f"no passage {passage_id!r}")
    context = [
        Neighbour(
            passage_id=str(neighbour["passage_id"]),
            ordinal=int(neighbour["ordinal"]),
            text=str(neighbour["text"]),
            speaker=neighbour["speaker"],
            speaker_role=neighbour["speaker_role"],
            is_quote=bool(neighbour["is_quote"]),
        )
        for neighbour in _sql.records(
            con, "evidence", "passage_context", {"passage": passage_id, "width": width}
        )
    ]
    theme_id = row["theme_id"]
    probability = row["probability"]
    return PassageView(
        passage_id=str(row["passage_id"]),
        doc_id=str(row["doc_id"]),
        ordinal=int(row["ordinal"]),
        text=str(row["text"]),
        section=row["section"],
        speaker=row["speaker"],
        speaker_role=row["speaker_role"],
        title=str(row["title"]),
        area=row["area"],
        region=row["region"],
        police_force=row["police_force"],
        review_date=row["review_date"],
        review_date_precision=row["review_date_precision"],
        doc_type=row["doc_type"],
        scope=str(row["scope"]),
        theme_id=None if theme_id is None else int(theme_id),
        theme_label=row["theme_label"],
        probability=None if probability is None else float(probability),
        context=context,
    )
