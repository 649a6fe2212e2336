"""Query-layer functions the viewer's pages read: coverage, sources, context, places, changes."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from pipeline.queries import (
    Filters,
    changes_since_previous_run,
    coverage,
    filter_options,
    passage_context,
    place_names,
    quotes,
    sources,
    theme_places,
)
from tests.queries.test_queries import EAST, theme_holding


@pytest.fixture(scope="module")
def con(themed_db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    with duckdb.connect(str(themed_db), read_only=True) as connection:
        yield connection


def test_filter_options_list_every_region_and_the_date_range(con) -> None:
    options = filter_options(con)
    assert len(options.regions) == 10 and EAST in options.regions
    assert len(options.areas) == 24
    assert options.first_review < options.last_review


def test_coverage_follows_the_filters(con) -> None:
    everything = coverage(con)
    east = coverage(con, Filters(region=EAST))
    assert (everything.reviews, everything.areas, everything.regions) == (24, 24, 10)
    assert (east.reviews, east.regions) == (4, 1)
    assert isinstance(east.first_review, dt.date)
    assert east.passages < everything.passages


def test_sources_count_each_documents_passages(con) -> None:
    frame = sources(con)
    counted = dict(con.execute("SELECT doc_id, count(*) FROM passages GROUP BY 1").fetchall())
    assert dict(zip(frame["doc_id"], frame["n_passages"], strict=True)) == counted


def test_passage_context_returns_the_neighbours_in_reading_order(con) -> None:
    quote = quotes(con, theme_holding(con, "%bank account%"), limit=1).iloc[0]
    around = passage_context(con, quote["passage_id"], width=1)
    assert around["is_quote"].sum() == 1
    assert list(around["ordinal"]) == sorted(around["ordinal"])
    assert 2 <= len(around) <= 3
    assert around.loc[around["is_quote"], "text"].item() == quote["text"]


def test_theme_places_concentrates_money_mules_in_the_east(con) -> None:
    mules = theme_holding(con, "%bank account%")
    places = theme_places(con, mules, level="region")
    east = places.set_index("place").loc[EAST]
    assert (east["raising"], east["documents"]) == (4, 4)
    assert places.iloc[0]["place"] == EAST  # sorted by prevalence
    assert set(east["areas"]) <= set(sources(con, Filters(region=EAST))["area"])


def test_place_names_hold_gazetteer_names_and_aliases(con) -> None:
    names = place_names(con)
    assert {"blackpool", "hastings", "croydon"} <= names


def test_first_run_has_no_previous_run(con) -> None:
    changes = changes_since_previous_run(con)
    assert changes.previous_run_id is None
    assert len(changes.new_documents) == 24


def test_changes_name_the_reviews_added_since_the_previous_run(
    themed_db: Path, tmp_path: Path
) -> None:
    from pipeline.embed.missing import embed_passages
    from pipeline.embed.models import load_embedder
    from pipeline.ingest.ingester import Ingester
    from pipeline.ingest.metadata import NATIONAL_AREA
    from pipeline.settings import Settings
    from pipeline.storage import open_warehouse
    from pipeline.themes.codebook import load_codebook
    from pipeline.themes.run import ThemeRunner
    from tests.conftest import REPO, SEED

    db = tmp_path / "grown.duckdb"
    shutil.copy(themed_db, db)
    with open_warehouse(db) as writer:
        Ingester(writer, Settings(db=db)).ingest([SEED])
        embedder = load_embedder()
        embed_passages(writer, embedder)
        ThemeRunner(writer, embedder, load_codebook(REPO / "models" / "codebook.yaml")).run()
        changes = changes_since_previous_run(writer)
        born = writer.execute("SELECT theme_id, first_run_id FROM themes").fetchall()
    assert changes.previous_run_id is not None and changes.run_id != changes.previous_run_id
    # The one new document is the seed, a national report (not a review of one area).
    assert list(changes.new_documents["area"]) == [NATIONAL_AREA]
    assert len(changes.new_documents) == 1
    assert set(changes.new_theme_ids) == {t for t, run in born if run == changes.run_id}
