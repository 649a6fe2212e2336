"""Table exports: coded passages with provenance, themes, documents, counts."""

from __future__ import annotations

import io
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from pipeline.exports.tables import write_tables
from pipeline.queries import Filters
from pipeline.themes.codebook import Codebook, load_codebook, update_curation
from tests.conftest import REPO, SEED_VARIANTS
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


def counts_from_raw_rows(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Reviews, areas and passages per (theme, region, year) and the region's reviews that
    year, counted in pandas from one row per coded passage (not through the query layer)."""
    coded = con.execute(
        "SELECT c.theme_id, d.doc_id, d.area, d.region AS place, d.review_date "
        "FROM current_passage_themes c JOIN passages p USING (passage_id) "
        "JOIN documents d USING (doc_id)"
    ).df()
    documents = con.execute("SELECT doc_id, region AS place, review_date FROM documents").df()
    for frame in (coded, documents):
        years = pd.to_datetime(frame["review_date"]).dt.year
        frame["period"] = years.map(lambda y: "undated" if pd.isna(y) else str(int(y)))
    keys = ["theme_id", "place", "period"]
    counts = coded.groupby(keys, dropna=False).agg(
        n_documents=("doc_id", "nunique"),
        n_areas=("area", "nunique"),
        n_passages=("doc_id", "size"),
    )
    totals = documents.groupby(["place", "period"], dropna=False).size().rename("period_documents")
    counts = counts.join(totals, on=["place", "period"]).reset_index()
    return counts.astype({"theme_id": "int64"})


def test_counts_by_region_and_year_match_a_count_of_the_raw_rows(con, tmp_path: Path) -> None:
    written = pd.read_csv(write_tables(con, tmp_path, Codebook())["counts_by_region_year"])
    columns = ["n_documents", "n_areas", "n_passages", "period_documents"]
    keys = ["theme_id", "place", "period"]
    exported = written.astype({"period": str}).set_index(keys)[columns].sort_index()
    expected = counts_from_raw_rows(con).set_index(keys)[columns].sort_index()
    assert len(exported) == len(expected) > 50
    pd.testing.assert_frame_equal(exported, expected, check_dtype=False)


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


def viewer_tables(db: Path, redact: bool) -> dict[str, pd.DataFrame]:
    """The viewer's "Download the tables" zip, read back."""
    from pipeline.settings import Settings
    from pipeline.viewer import data

    settings = Settings(db=db)
    source = data.current_source(settings)
    archive = data.tables_zip(source, Filters(), Codebook(), 0.0, redact, settings.spacy_model)
    with zipfile.ZipFile(io.BytesIO(archive)) as tables:
        return {n.removesuffix(".csv"): pd.read_csv(tables.open(n)) for n in tables.namelist()}


def contact_passages(passages: pd.DataFrame) -> pd.Series:
    """The two sample reviews' contact lines (a name, a phone number, an e-mail each)."""
    return passages.loc[passages["text"].str.contains("Contact for this review"), "text"]


def test_the_viewers_tables_download_redacts_passage_text(themed_db: Path) -> None:
    contacts = contact_passages(viewer_tables(themed_db, redact=True)["passages"])
    assert len(contacts) == 2
    for text in contacts:
        assert "[email]" in text and "[phone]" in text and "[name]" in text
        assert "@example.org" not in text and "07700" not in text
    assert not any("Okafor" in t or "Harwood" in t for t in contacts)


def test_the_viewers_tables_download_keeps_the_text_for_analysts(themed_db: Path) -> None:
    contacts = contact_passages(viewer_tables(themed_db, redact=False)["passages"])
    assert sorted(t.count("@example.org") for t in contacts) == [1, 1]


@pytest.mark.parametrize("variant", SEED_VARIANTS)
@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_tables_carry_the_seed_reports_passages_at_their_offsets(
    seeded, seed_path: Path, variant: str, fmt: str, tmp_path: Path
) -> None:
    with duckdb.connect(str(seeded[variant]), read_only=True) as reader:
        written = write_tables(reader, tmp_path, Codebook(), fmt)  # type: ignore[arg-type]
        doc_id, area, text = reader.execute(
            "SELECT doc_id, area, text FROM documents WHERE path = ?", [str(seed_path)]
        ).fetchone()
        coded = reader.execute(
            "SELECT count(*) FROM current_passage_themes JOIN passages USING (passage_id) "
            "WHERE doc_id = ?",
            [doc_id],
        ).fetchone()[0]
    read = pd.read_csv if fmt == "csv" else pd.read_parquet
    passages = read(written["passages"])
    seed_rows = passages[passages["doc_id"] == doc_id]
    assert len(seed_rows) == coded > 100
    for row in seed_rows.itertuples():
        assert text[row.char_start : row.char_end] == row.text
    documents = read(written["documents"])
    listed = documents.loc[documents["doc_id"] == doc_id, "area"]
    assert len(listed) == 1
    if area is None:
        assert pd.isna(listed.iloc[0])
    else:
        assert listed.iloc[0] == area
