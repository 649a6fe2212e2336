"""Full-text search over passages: DuckDB's fts extension, loaded from its PyPI package.

`INSTALL fts` needs the network; the duckdb-extension-fts wheel carries the same extension, so
it is loaded from the installed package's folder (never a hard-coded path).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import duckdb


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
    """Whether the BM25 index over passages has been built."""
    found = con.execute(
        "SELECT count(*) FROM duckdb_schemas() WHERE schema_name = 'fts_main_passages'"
    ).fetchone()
    return bool(found and found[0])


def build_search_index(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)build the BM25 index over passage text; run after passages change."""
    load_fts(con)
    con.execute(
        "PRAGMA create_fts_index('passages', 'passage_id', 'text', "
        "stemmer = 'porter', stopwords = 'english', overwrite = 1)"
    )
