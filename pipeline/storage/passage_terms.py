"""The labeller's cache of parsed passages: terms (JSON) by text hash and reader.

Every statement is named SQL in `sql/terms.sql`.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb

from pipeline.storage.named_sql import named_queries
from pipeline.storage.transaction import transaction


def cached_terms(
    con: duckdb.DuckDBPyConnection, reader: str, shas: Sequence[str]
) -> dict[str, str]:
    """The cached terms (JSON) of those of `shas` this reader has read."""
    query = named_queries("terms")["cached_terms"]
    return dict(con.execute(query, {"reader": reader, "shas": list(shas)}).fetchall())


def store_terms(
    con: duckdb.DuckDBPyConnection, reader: str, shas: Sequence[str], terms: Sequence[str]
) -> None:
    """Keep this reader's terms (JSON) of these texts, and drop every other reader's."""
    if len(shas) != len(terms):
        raise ValueError(f"{len(shas)} texts but {len(terms)} terms")
    queries = named_queries("terms")
    with transaction(con):
        con.execute(queries["forget_other_readers"], {"reader": reader})
        if shas:
            con.execute(
                queries["insert_terms"],
                {"reader": reader, "shas": list(shas), "terms": list(terms)},
            )
