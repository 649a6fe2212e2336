"""The evidence behind a theme: its most representative passages and the text around one."""

from __future__ import annotations

import duckdb
import pandas as pd

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
