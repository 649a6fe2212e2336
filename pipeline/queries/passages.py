"""Passages looked up by id: the latest run's theme of each, their provenance, what an id is now.

The viewer shows people's coding decisions at once, before the next run counts them: the
passages a person moved or added are few and known by id, so they are looked up by key (the
search's named queries), never by reading a whole theme.
"""

from __future__ import annotations

from collections.abc import Collection

import duckdb
import pandas as pd

from pipeline.queries import _sql
from pipeline.queries.filters import NO_FILTERS, Filters


def current_themes(con: duckdb.DuckDBPyConnection, passage_ids: Collection[str]) -> dict[str, int]:
    """The latest run's theme of each passage that has one (a passage on no theme is left out)."""
    if not passage_ids:
        return {}
    frame = _sql.frame(con, "search", "current_themes_of_passages", {"ids": list(passage_ids)})
    return dict(zip(frame["passage_id"].astype(str), frame["theme_id"].astype(int), strict=True))


def current_passage_ids(
    con: duckdb.DuckDBPyConnection, passage_ids: Collection[str]
) -> dict[str, str]:
    """Each of `passage_ids` there is now -> itself; one an edit retired -> its successor.

    What people hang on a passage (a decision, a memo) follows its text through an edit of its
    document, and goes with a withdrawn review (its ids are left out).
    """
    return _current_ids(con, "current_ids_of_passages", passage_ids)


def current_document_ids(
    con: duckdb.DuckDBPyConnection, doc_ids: Collection[str]
) -> dict[str, str]:
    """Each of `doc_ids` that is a current version -> itself; an earlier one -> the current one."""
    return _current_ids(con, "current_ids_of_documents", doc_ids)


def _current_ids(
    con: duckdb.DuckDBPyConnection, query: str, ids: Collection[str]
) -> dict[str, str]:
    if not ids:
        return {}
    frame = _sql.frame(con, "search", query, {"ids": list(ids)})
    return dict(zip(frame["asked"].astype(str), frame["current"].astype(str), strict=True))


def passages_by_id(
    con: duckdb.DuckDBPyConnection, passage_ids: Collection[str], filters: Filters = NO_FILTERS
) -> pd.DataFrame:
    """The passages among `passage_ids` that pass the filters, with their provenance (any order).

    A national document's passage passes a place filter when it names a place inside it, as in
    a search (`via_mention`).
    """
    params = filters.params() | {"ids": list(passage_ids)}
    return _sql.frame(con, "search", "passages_by_id", params)
