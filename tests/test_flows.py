"""Prefect flows run for real under prefect_test_harness (a temporary local API)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import CORPUS

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_api")]


def test_refresh_flow_ingests_embeds_themes_and_publishes(tmp_path: Path) -> None:
    from pipeline.flows import refresh_flow
    from pipeline.storage.publish import current_snapshot

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in (
        "02_bedford_practitioner_interviews.txt",
        "19_lincoln_practitioner_interviews.txt",
    ):
        shutil.copy(CORPUS / name, corpus / name)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(CORPUS / "24_derby_practitioner_interviews.txt", inbox)
    db = tmp_path / "data" / "findings.duckdb"
    first = refresh_flow(corpus=str(corpus), inbox=str(inbox), db=str(db))
    assert first["documents_added"] == 3
    # identical passage texts (e.g. a repeated question) are embedded once
    assert 30 < first["passages_embedded"] <= first["passages_added"]
    assert current_snapshot(db) == Path(first["snapshot"])
    again = refresh_flow(corpus=str(corpus), inbox=str(inbox), db=str(db))
    assert (again["documents_added"], again["passages_embedded"], again["new_themes"]) == (0, 0, 0)


def test_a_refresh_keeps_a_passage_where_a_person_moved_it(
    tmp_path: Path, team_store_in_tmp: Path
) -> None:
    import duckdb

    from pipeline.access.codings import save_decisions
    from pipeline.flows import refresh_flow
    from pipeline.themes.decisions import CodingAction

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in (
        "02_bedford_practitioner_interviews.txt",
        "19_lincoln_practitioner_interviews.txt",
    ):
        shutil.copy(CORPUS / name, corpus / name)
    db = tmp_path / "data" / "findings.duckdb"
    first = refresh_flow(corpus=str(corpus), inbox=str(tmp_path / "inbox"), db=str(db))

    with duckdb.connect(first["snapshot"], read_only=True) as con:
        before = dict(
            con.execute(
                "SELECT passage_id, theme_id FROM passage_themes WHERE run_id = ?",
                [first["run_id"]],
            ).fetchall()
        )
    themes = sorted({theme for theme in before.values() if theme >= 0})
    assert len(themes) >= 2
    passage = next(p for p, theme in sorted(before.items()) if theme == themes[0])
    save_decisions(
        team_store_in_tmp, [(passage, themes[1], CodingAction.move, "test")], coder="tester"
    )
    again = refresh_flow(corpus=str(corpus), inbox=str(tmp_path / "inbox"), db=str(db))
    with duckdb.connect(again["snapshot"], read_only=True) as con:
        now = con.execute(
            "SELECT theme_id FROM passage_themes WHERE run_id = ? AND passage_id = ?",
            [again["run_id"], passage],
        ).fetchall()
    assert now == [(themes[1],)]


def assert_same_vectors(db: Path, reference: Path, embedded: object) -> None:
    """The warehouse holds the vectors one process gave the same texts, and all were new."""
    import numpy as np

    from pipeline.storage import connect

    sql = "SELECT text_sha, vector FROM embeddings ORDER BY text_sha"
    with connect(db, read_only=True) as con:
        got = con.execute(sql).fetchall()
    with connect(reference, read_only=True) as con:
        expected = con.execute(sql).fetchall()
    assert embedded == len(expected) > 600
    assert [sha for sha, _ in got] == [sha for sha, _ in expected]
    np.testing.assert_allclose(
        np.array([v for _, v in got]), np.array([v for _, v in expected]), atol=1e-5
    )


def test_embed_flow_on_two_dask_workers_matches_one_process(
    tmp_path: Path, corpus_db: Path, themed_db: Path, monkeypatch
) -> None:

    from pipeline.flows import embed_flow

    db = tmp_path / "findings.duckdb"
    shutil.copy(corpus_db, db)
    # small chunks so both workers get several
    monkeypatch.setenv("FINDINGS_EMBED_BATCH_SIZE", "64")
    report = embed_flow(db=str(db), workers=2)
    assert report["worker_processes"] == 2
    assert_same_vectors(db, themed_db, report["embedded"])


def test_embed_flow_on_an_existing_dask_cluster_matches_one_process(
    tmp_path: Path, corpus_db: Path, themed_db: Path, monkeypatch
) -> None:
    from distributed import LocalCluster

    from pipeline.flows import embed_flow

    db = tmp_path / "findings.duckdb"
    shutil.copy(corpus_db, db)
    monkeypatch.setenv("FINDINGS_EMBED_BATCH_SIZE", "128")
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=True) as cluster:
        report = embed_flow(db=str(db), dask_address=cluster.scheduler_address)
        ran_there = list(cluster.scheduler.task_prefixes)
    # The chunks were encoded by the cluster's worker, not in this process.
    assert report["worker_processes"] == 1
    assert any("encode" in prefix for prefix in ran_there), ran_there
    assert_same_vectors(db, themed_db, report["embedded"])


def test_a_scheduled_flow_waits_for_a_run_that_holds_the_warehouse(tmp_path: Path) -> None:
    import datetime as dt
    import threading

    from pipeline.flows import ingest_flow
    from pipeline.ids import utc_now
    from pipeline.storage import connect
    from tests.writers import holding

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(CORPUS / "02_bedford_practitioner_interviews.txt", corpus)
    db = tmp_path / "data" / "findings.duckdb"
    released: list[dt.datetime] = []
    # Long enough that a flow that did not wait would have ingested before the holder let go.
    with holding(db, command="findings ingest", writing=False, seconds=20) as holder:

        def watch() -> None:
            holder.wait()
            released.append(utc_now())

        watcher = threading.Thread(target=watch)
        watcher.start()
        report = ingest_flow(corpus=str(corpus), db=str(db), lock_wait_s=120)
        watcher.join()
    assert report["added"] == 1
    with connect(db, read_only=True) as con:
        (ingested_at,) = con.execute("SELECT max(ingested_at) FROM documents").fetchone()
    # it waited for the holder to let go (the holder's exit is seen a moment after it happens)
    assert ingested_at >= released[0] - dt.timedelta(seconds=1)


def test_a_scheduled_flow_gives_up_after_its_bound_naming_the_holder(tmp_path: Path) -> None:
    from pipeline.errors import RunInProgressError
    from pipeline.flows import ingest_flow
    from tests.writers import holding

    db = tmp_path / "data" / "findings.duckdb"
    with (
        holding(db, command="findings ingest"),
        pytest.raises(RunInProgressError, match="`findings ingest`"),
    ):
        ingest_flow(corpus=str(CORPUS), db=str(db), lock_wait_s=1)


def warehouse_contents(db: Path) -> dict[str, list[tuple]]:
    """What a refresh stored, but for clocks, where the files were, and vectors' values."""
    import duckdb

    sql = {
        "documents": (
            "SELECT * EXCLUDE (ingested_at, path, source_path) FROM documents ORDER BY doc_id"
        ),
        "passages": "SELECT * FROM passages ORDER BY passage_id",
        "places": "SELECT * FROM places ORDER BY ALL",
        "vectors": "SELECT text_sha, model FROM embeddings ORDER BY ALL",
    }
    with duckdb.connect(str(db), read_only=True) as con:
        return {name: con.execute(query).fetchall() for name, query in sql.items()}


def latest_themes(db: Path) -> list[tuple]:
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(
            "SELECT passage_id, theme_id FROM passage_themes "
            "WHERE run_id = (SELECT max(run_id) FROM theme_runs) ORDER BY ALL"
        ).fetchall()


def test_a_refresh_on_a_two_worker_dask_cluster_equals_one_process(
    tmp_path: Path, themed_db: Path
) -> None:
    from distributed import LocalCluster

    from pipeline.embed.models import LazyEmbedder
    from pipeline.flows import refresh_flow
    from pipeline.settings import Settings
    from pipeline.storage import open_warehouse
    from pipeline.themes.codebook import load_codebook
    from pipeline.themes.run import ThemeRunner

    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus, ignore=shutil.ignore_patterns("inbox"))
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    spread = tmp_path / "dask" / "f.duckdb"
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True) as cluster:
        refresh_flow(
            corpus=str(corpus), inbox=str(inbox), db=str(spread),
            dask_address=cluster.scheduler_address,
        )  # fmt: skip
        ran_there = set(cluster.scheduler.task_prefixes)
    # Reading and segmenting, and embedding, ran on the cluster's workers.
    assert any("prepare_job" in p for p in ran_there) and any("encode" in p for p in ran_there)
    # The sample corpus as one process ingested and embedded it (the suite's themed warehouse).
    alone = themed_db
    got, expected = warehouse_contents(spread), warehouse_contents(alone)
    assert len(expected["passages"]) > 600
    for name, rows in expected.items():
        assert got[name] == rows, name
    # A worker's matrix maths may round the last bit otherwise than this process's does (its
    # own thread count); the vectors agree to float32's precision.
    assert_same_vectors(spread, alone, len(expected["vectors"]))
    # Themes are fitted where the warehouse is written: from the vectors the cluster made, the
    # refresh's themes are exactly those this process fits.
    again = tmp_path / "again.duckdb"
    shutil.copy(spread, again)
    settings = Settings(db=again)
    with open_warehouse(again) as con:
        ThemeRunner(
            con, LazyEmbedder(settings.embedding_model), load_codebook(None), settings.spacy_model
        ).run(refit=True)
    assert latest_themes(again) == latest_themes(spread)


def test_a_run_without_its_codebook_file_says_so(tmp_path: Path) -> None:
    from pipeline.flows import missing_codebook
    from pipeline.settings import Settings

    gone = tmp_path / "models" / "codebook.yaml"
    said = missing_codebook(Settings(codebook=gone))
    assert said is not None and str(gone) in said
    gone.parent.mkdir()
    gone.write_text("guided: []\n", encoding="utf-8")
    assert missing_codebook(Settings(codebook=gone)) is None


def test_the_refresh_note_tells_merged_themes_from_those_that_faded() -> None:
    from pipeline.flows import refresh_note

    ingested = {"added": 1, "replaced": 0, "updated": 0, "skipped": 23, "errors": []}
    themes = {
        "run_id": "r2", "themes": 20, "new_themes": 1, "dormant_themes": 3,
        "merged_themes": 2, "outlier_share": 0.05, "new_labels": ["Rough sleepers"],
    }  # fmt: skip
    note = refresh_note(ingested, {"embedded": 18}, themes)
    assert "(1 new, 2 merged or split into others, 1 now dormant)" in note
    assert "- new theme: Rough sleepers" in note


def test_the_ingest_line_says_withdrawn_files_apart_from_those_already_in() -> None:
    from pipeline.flows import already_in

    assert already_in(24, 0) == "24 already in"
    assert already_in(24, 1) == "23 already in, 1 withdrawn (left out)"
