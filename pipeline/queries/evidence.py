"""The evidence behind a theme: its most representative passages and the text around one."""

from __future__ import annotations

import duckdb
import pandas as pd

from pipeline.queries import _sql
from pipeline.queries.filters import NO_FILTERS, Filters


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
