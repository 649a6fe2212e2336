"""Table exports: coded passages with provenance, themes, documents, counts."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from pipeline.codebook import Codebook, load_codebook, update_curation
from pipeline.exports.tables import write_tables
from pipeline.queries import Filters, theme_counts
from tests.conftest import REPO
from tests.queries.test_queries import EAST


@pytest.fixture(scope="module")
def con(themed_db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    with duckdb.connect(str(themed_db), read_only=True) as connection:
        yield connection


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_every_table_is_written_and_reads_back(con, tmp_path: Path, fmt: str) -> None:
    written = write_tables(con, tmp_path, Codebook(), fmt)
    assert set(written) == {
        "passages", "themes", "documents",
        "counts_by_region_year", "counts_by_police_force_year", "counts_by_area_year",
    }  # fmt: skip
    read = pd.read_csv if fmt == "csv" else pd.read_parquet
    passages = read(written["passages"])
    coded = con.execute("SELECT count(*) FROM current_passage_themes").fetchone()[0]
    assert len(passages) == coded
    assert {"area", "region", "police_force", "review_date", "doc_type", "theme"} <= set(
        passages.columns
    )


def test_passage_rows_carry_exact_offsets_into_their_documents(con, tmp_path: Path) -> None:
    passages = pd.read_parquet(write_tables(con, tmp_path, Codebook(), "parquet")["passages"])
    texts = dict(con.execute("SELECT doc_id, text FROM documents").fetchall())
    for row in passages.itertuples():
        assert texts[row.doc_id][row.char_start : row.char_end] == row.text


def test_counts_match_the_query_layer(con, tmp_path: Path) -> None:
    counts = pd.read_csv(write_tables(con, tmp_path, Codebook())["counts_by_region_year"])
    expected = theme_counts(con, level="region", period="year")
    assert counts["n_documents"].sum() == expected["n_documents"].sum()
    assert len(counts) == len(expected)


def test_filters_and_the_codebook_apply(con, tmp_path: Path) -> None:
    path = tmp_path / "codebook.yaml"
    shutil.copy(REPO / "models" / "codebook.yaml", path)
    first = con.execute("SELECT min(theme_id) FROM themes").fetchone()[0]
    update_curation(path, first, label="Renamed", not_relevant=False)
    tables = write_tables(con, tmp_path / "out", load_codebook(path), "csv", Filters(region=EAST))
    passages = pd.read_csv(tables["passages"])
    assert set(passages["region"]) == {EAST}
    themes = pd.read_csv(tables["themes"]).set_index("theme_id")
    assert themes.loc[first, "label"] == "Renamed"
