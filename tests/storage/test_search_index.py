"""The full-text index beside DuckDB's fts extension: postings agree with the extension's terms."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from pipeline.errors import SearchIndexError
from pipeline.ingest.ingester import Ingester
from pipeline.queries import search_keyword
from pipeline.settings import Settings
from pipeline.storage import open_warehouse
from pipeline.storage.search_index import load_fts, search_index_exists
from tests.conftest import CORPUS


def test_postings_count_each_terms_occurrences_in_each_passage(corpus_db: Path) -> None:
    with duckdb.connect(str(corpus_db), read_only=True) as con:
        load_fts(con)
        postings = con.execute(
            "SELECT termid, docid, tf FROM fts_main_passages.postings ORDER BY ALL"
        ).fetchall()
        terms = con.execute(
            "SELECT termid, docid, count(*) FROM fts_main_passages.terms GROUP BY ALL ORDER BY ALL"
        ).fetchall()
        lengths = con.execute(
            "SELECT count(*) FROM fts_main_passages.postings p "
            "JOIN fts_main_passages.docs d USING (docid) WHERE p.len <> d.len"
        ).fetchone()[0]
    assert len(postings) > 1000
    assert postings == terms
    assert lengths == 0


def test_postings_are_sorted_by_term(corpus_db: Path) -> None:
    with duckdb.connect(str(corpus_db), read_only=True) as con:
        load_fts(con)
        rows = con.execute("SELECT termid FROM fts_main_passages.postings").fetchall()
    termids = [row[0] for row in rows]
    assert len(set(termids)) > 100
    assert termids == sorted(termids)


def test_an_index_without_postings_is_rebuilt_by_the_next_ingest(db_without_postings: Path) -> None:
    with open_warehouse(db_without_postings) as con:
        assert not search_index_exists(con)
        report = Ingester(con, Settings(db=db_without_postings)).ingest([CORPUS])
        assert report.added == 0
        assert search_index_exists(con)
        assert con.execute("SELECT count(*) FROM fts_main_passages.postings").fetchone()[0] > 0


def test_keyword_search_without_postings_says_the_next_run_rebuilds_them(
    db_without_postings: Path,
) -> None:
    with (
        duckdb.connect(str(db_without_postings), read_only=True) as con,
        pytest.raises(SearchIndexError, match="next `findings run` rebuilds it"),
    ):
        search_keyword(con, "cuckooing")
