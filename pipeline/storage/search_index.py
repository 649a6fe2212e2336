"""Full-text search over passages: DuckDB's fts extension, loaded from its PyPI package.

`INSTALL fts` needs the network; the duckdb-extension-fts wheel carries the same extension, so
it is loaded from the installed package's folder (never a hard-coded path). Beside the
extension's index, a postings table sorted by term lets a query read only its terms' rows
(see sql/search.sql).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import duckdb

from pipeline.storage import named_queries
from pipeline.storage.transaction import transaction


@cache
def fts_extension_path() -> Path:
    """The fts extension file shipped by the duckdb-extension-fts package for this DuckDB."""
    import duckdb_extension_fts

    folder = Path(duckdb_extension_fts.__file__).parent / "extensions" / f"v{duckdb.__version__}"
    path = folder / "fts.duckdb_extension"
    if not path.is_file():
        raise FileNotFoundError(
            f"no fts extension for DuckDB {duckdb.__version__} at {path}: install "
            f"duckdb-extension-fts=={duckdb.__version__}"
        )
    return path


def load_fts(con: duckdb.DuckDBPyConnection) -> None:
    """Load the fts extension into a connection (cheap when already loaded)."""
    # LOAD takes no bound parameters; the path comes from the installed package, not a user.
    con.execute(f"LOAD '{fts_extension_path()}'")


def search_index_exists(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the BM25 index over passages, with its postings, has been built."""
    found = con.execute(named_queries("search")["postings_exist"]).fetchone()
    return bool(found and found[0])


def build_search_index(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)build the BM25 index over passage text; run after passages change.

    One transaction: a run killed midway leaves the previous index, never one without postings.
    """
    load_fts(con)
    with transaction(con):
        con.execute(
            "PRAGMA create_fts_index('passages', 'passage_id', 'text', "
            "stemmer = 'porter', stopwords = 'english', overwrite = 1)"
        )
        con.execute(named_queries("search")["create_postings"])
