"""Run the query layer's named statements and read their results by column name.

The statements live in `pipeline/storage/sql/<module>.sql`; every parameter is bound by name.
Results come back as DataFrames, dicts keyed by column or single values, never as rows to be
indexed by position, so that a new column cannot shift what a caller reads.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import duckdb
import pandas as pd

from pipeline.storage import named_queries

Params = Mapping[str, object] | None


def _run(
    con: duckdb.DuckDBPyConnection, module: str, name: str, params: Params
) -> duckdb.DuckDBPyConnection:
    statement = named_queries(module)[name]
    return con.execute(statement) if params is None else con.execute(statement, dict(params))


def frame(
    con: duckdb.DuckDBPyConnection, module: str, name: str, params: Params = None
) -> pd.DataFrame:
    """A named statement's result as a DataFrame."""
    return _run(con, module, name, params).df()


def records(
    con: duckdb.DuckDBPyConnection, module: str, name: str, params: Params = None
) -> list[dict[str, object]]:
    """A named statement's rows as {column: value} dicts, with DuckDB's Python values."""
    cursor = _run(con, module, name, params)
    columns = [description[0] for description in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def record(
    con: duckdb.DuckDBPyConnection, module: str, name: str, params: Params = None
) -> dict[str, object] | None:
    """A named statement's first row as a {column: value} dict, or None when it has no rows."""
    rows = records(con, module, name, params)
    return rows[0] if rows else None


def scalar(
    con: duckdb.DuckDBPyConnection, module: str, name: str, params: Params = None
) -> object | None:
    """The one value of a one-column statement's first row (None when it has no rows)."""
    row = record(con, module, name, params)
    if row is None:
        return None
    (value,) = row.values()
    return value


def column(
    con: duckdb.DuckDBPyConnection, module: str, name: str, params: Params = None
) -> list[Any]:
    """Every value of a one-column statement, in order."""
    (values,) = _run(con, module, name, params).fetchnumpy().values()
    return values.tolist()


def mapping(
    con: duckdb.DuckDBPyConnection,
    module: str,
    name: str,
    key: str,
    value: str,
    params: Params = None,
) -> dict[Any, Any]:
    """{row[key]: row[value]} over a statement's rows (read as arrays: it may be a million)."""
    arrays = _run(con, module, name, params).fetchnumpy()
    return dict(zip(arrays[key].tolist(), arrays[value].tolist(), strict=True))


def arrays(
    con: duckdb.DuckDBPyConnection, module: str, name: str, params: Params = None
) -> dict[str, Any]:
    """A named statement's columns as NumPy arrays, by name (for results too long for rows)."""
    return _run(con, module, name, params).fetchnumpy()
