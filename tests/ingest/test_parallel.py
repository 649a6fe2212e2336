"""Files read and segmented on other processes give the warehouse one process gives."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from pipeline.ingest.ingester import Ingester, IngestReport
from pipeline.ingest.parallel import preparing_on
from pipeline.settings import Settings
from pipeline.storage import open_warehouse
from pipeline.workers import LocalPool
from tests.conftest import CORPUS, DOCUMENTS

pytestmark = pytest.mark.slow

# What a document is once ingested: every column but the clock's.
TABLES = {
    "documents": "SELECT * EXCLUDE (ingested_at) FROM documents ORDER BY doc_id",
    "passages": "SELECT * FROM passages ORDER BY passage_id",
    "places": "SELECT * FROM places ORDER BY ALL",
    "errors": "SELECT path, source_sha256, reason, severity FROM ingest_errors ORDER BY ALL",
}


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory, seed_path: Path) -> Path:
    """The sample corpus, the seed report, the suite's own documents and three bad files."""
    folder = tmp_path_factory.mktemp("batch") / "corpus"
    shutil.copytree(CORPUS, folder, ignore=shutil.ignore_patterns("inbox"))
    shutil.copy(seed_path, folder / "national_synthesis.txt")
    for document in DOCUMENTS.iterdir():
        shutil.copy(document, folder / document.name)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "no_words.md").write_text("---\ntitle: Nothing\n---\n\n. . .\n", encoding="utf-8")
    # The same text twice: the second copy is a duplicate whichever process read it first.
    shutil.copy(CORPUS / "02_bedford_practitioner_interviews.txt", folder / "zz_copy.txt")
    return folder


def ingest(folder: Path, db: Path, workers: int = 1, address: str | None = None) -> IngestReport:
    with open_warehouse(db) as con, preparing_on(workers, address) as (pool, count):
        ingester = Ingester(con, Settings(db=db), pool, count)
        report = ingester.ingest([folder])
        if pool is not None:
            assert ingester.prefetch is not None
            # The workers did the work (not the batch falling back on itself file by file).
            assert ingester.prefetch.used >= 25
    return report


def contents(db: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {table: con.execute(sql).fetchall() for table, sql in TABLES.items()}


@pytest.fixture(scope="module")
def one_process(batch: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[tuple]]:
    db = tmp_path_factory.mktemp("one") / "findings.duckdb"
    report = ingest(batch, db)
    assert report.added >= 28
    assert len(report.errors) == 2 and len(report.duplicates) == 1
    return contents(db)


def test_two_local_processes_write_what_one_process_writes(
    batch: Path, tmp_path: Path, one_process: dict[str, list[tuple]]
) -> None:
    db = tmp_path / "findings.duckdb"
    ingest(batch, db, workers=2)
    got = contents(db)
    for table, rows in one_process.items():
        assert got[table] == rows, table


def test_two_dask_workers_write_what_one_process_writes(
    batch: Path, tmp_path: Path, one_process: dict[str, list[tuple]]
) -> None:
    from distributed import LocalCluster

    db = tmp_path / "findings.duckdb"
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True) as cluster:
        ingest(batch, db, address=cluster.scheduler_address)
        ran_there = list(cluster.scheduler.task_prefixes)
    assert any("prepare_job" in prefix for prefix in ran_there), ran_there
    got = contents(db)
    for table, rows in one_process.items():
        assert got[table] == rows, table


def test_a_rerun_with_nothing_new_starts_no_process(tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    for path in sorted(CORPUS.glob("*.txt"))[:3]:
        shutil.copy(path, folder / path.name)
    db = tmp_path / "findings.duckdb"
    ingest(folder, db)
    with open_warehouse(db) as con, LocalPool(2) as pool:
        report = Ingester(con, Settings(db=db), pool, 2).ingest([folder])
        started = pool.started
    assert (report.added, report.skipped) == (0, 3)
    assert not started


def test_a_file_changed_after_it_was_sent_ahead_is_prepared_from_its_new_text(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    names = sorted(p.name for p in CORPUS.glob("*.txt"))[:3]
    for name in names:
        shutil.copy(CORPUS / name, folder / name)
    last = folder / names[-1]
    edited = last.read_text(encoding="utf-8") + "\nA line added after the batch began.\n"
    db = tmp_path / "findings.duckdb"

    def edit_the_last(path: Path, outcome: str) -> None:
        if path.name == names[0]:  # by now the last file was read and sent to a worker
            last.write_text(edited, encoding="utf-8")

    with open_warehouse(db) as con, LocalPool(2) as pool:
        ingester = Ingester(con, Settings(db=db), pool, 2)
        report = ingester.ingest([folder], on_file=edit_the_last)
        refused = ingester.prefetch.refused if ingester.prefetch else 0
    assert report.added == 3 and refused == 1
    with duckdb.connect(str(db), read_only=True) as con:
        (text,) = con.execute("SELECT text FROM documents WHERE path = ?", [str(last)]).fetchone()
    assert "A line added after the batch began." in text
