"""A document's identity is its source: an edited file is a new version; new metadata applies."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, strategies
from hypothesis import settings as run_settings

from pipeline.embed.missing import embed_passages
from pipeline.ingest.ingester import Ingester
from pipeline.ingest.prepare import IngestOptions
from pipeline.queries.evidence import find_passage_id
from pipeline.queries.runs import changes_since_previous_run
from pipeline.settings import Settings
from pipeline.storage import open_warehouse
from pipeline.storage.embeddings import missing_texts
from pipeline.storage.theme_runs import passage_successors
from tests.conftest import CORPUS, embed_and_theme
from tests.embed.test_missing import FakeEmbedder
from tests.ingest.test_ingester import TRANSCRIPT, count, write

EDITED = TRANSCRIPT.replace(
    "The debt never goes away, whatever they do.",
    "The debt grows every week, and the threats with it.",
)
MANIFEST = "path,title,area,review_date,doc_type\n"


def one(con: duckdb.DuckDBPyConnection, sql: str, params: list[object] | None = None) -> tuple:
    return con.execute(sql, params or []).fetchone()


def passage_texts(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.execute("SELECT text FROM passages ORDER BY ordinal").fetchall()]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A folder of reviews apart from the warehouse file (which is in `tmp_path`)."""
    path = tmp_path / "reviews"
    path.mkdir()
    return path


def test_an_edited_file_replaces_its_previous_version(ingester: Ingester, tmp_path: Path) -> None:
    path = write(tmp_path, "blackpool.txt", TRANSCRIPT)
    ingester.ingest([path])
    (old_id,) = one(ingester.con, "SELECT doc_id FROM documents")
    write(tmp_path, "blackpool.txt", EDITED)
    report = ingester.ingest([path])
    assert count(ingester.con, "documents") == 1
    assert (report.added, report.replaced, report.skipped) == (0, 1, 0)
    assert one(ingester.con, "SELECT count(DISTINCT doc_id) FROM passages") == (1,)
    assert "The debt grows every week, and the threats with it." in passage_texts(ingester.con)
    assert "The debt never goes away, whatever they do." not in passage_texts(ingester.con)
    assert one(ingester.con, "SELECT doc_id FROM documents") != (old_id,)


def _texts_by_id(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return dict(con.execute("SELECT passage_id, text FROM passages").fetchall())


def _versions(ingester: Ingester, folder: Path, *texts: str) -> list[dict[str, str]]:
    """One file ingested as each of `texts` in turn: its passages' texts by id after each."""
    seen = []
    for text in texts:
        ingester.ingest([write(folder, "blackpool.txt", text)])
        seen.append(_texts_by_id(ingester.con))
    return seen


def test_an_edit_links_each_unchanged_passage_to_its_new_id(
    ingester: Ingester, tmp_path: Path
) -> None:
    before, after = _versions(ingester, tmp_path, TRANSCRIPT, EDITED)
    links = passage_successors(ingester.con)
    kept = {old for old, text in before.items() if text in after.values()}
    assert kept and len(kept) < len(before)  # the edit changed one passage, not all
    assert set(links) == kept
    assert all(after[links[old]] == before[old] for old in kept)
    assert find_passage_id(ingester.con, next(iter(kept))[:12]) == links[next(iter(kept))]


def test_links_stay_flat_across_edits_and_an_edit_undone_drops_them(
    ingester: Ingester, tmp_path: Path
) -> None:
    first, _, latest = _versions(
        ingester, tmp_path, TRANSCRIPT, EDITED, EDITED + "\nInterviewer: Anything else?\n"
    )
    links = passage_successors(ingester.con)
    assert links and set(links.values()) <= set(latest)  # each link ends at a current passage
    assert all(latest[links[old]] == text for old, text in first.items() if old in links)
    ingester.ingest([write(tmp_path, "blackpool.txt", TRANSCRIPT)])
    back = passage_successors(ingester.con)
    assert set(_texts_by_id(ingester.con)) == set(first)  # the first version's ids again
    # No current passage is anyone's retired one, and every link ends at a current passage.
    assert back and not set(back) & set(first) and set(back.values()) <= set(first)


def test_the_previous_version_keeps_its_provenance(ingester: Ingester, tmp_path: Path) -> None:
    path = write(tmp_path, "blackpool.txt", TRANSCRIPT)
    ingester.ingest([path])
    before = one(
        ingester.con,
        "SELECT doc_id, path, source_sha256, text, title, ingested_at, "
        "(SELECT count(*) FROM passages) FROM documents",
    )
    write(tmp_path, "blackpool.txt", EDITED)
    ingester.ingest([path])
    (new_id,) = one(ingester.con, "SELECT doc_id FROM documents")
    versions = ingester.con.execute(
        "SELECT doc_id, path, source_sha256, text, title, ingested_at, n_passages, source_path, "
        "replaced_by, replaced_at FROM document_versions"
    ).fetchall()
    assert len(versions) == 1
    assert versions[0][:7] == before
    assert versions[0][7:9] == (str(path.resolve()), new_id)
    assert versions[0][9] >= before[5]


def test_a_new_version_reuses_the_vectors_of_its_unchanged_passages(
    ingester: Ingester, tmp_path: Path
) -> None:
    path = write(tmp_path, "blackpool.txt", TRANSCRIPT)
    ingester.ingest([path])
    embed_passages(ingester.con, FakeEmbedder())
    passages_before = count(ingester.con, "passages")
    write(tmp_path, "blackpool.txt", EDITED)
    ingester.ingest([path])
    assert [m.text for m in missing_texts(ingester.con, "fake")] == [
        "The debt grows every week, and the threats with it."
    ]
    embedder = FakeEmbedder()
    embed_passages(ingester.con, embedder)
    # The new version holds as many passages as the old (in place of them, not beside them),
    # and only its edited one needed a vector.
    assert (count(ingester.con, "passages"), embedder.calls) == (passages_before, [1])


def test_a_rerun_after_a_replacement_changes_nothing(ingester: Ingester, tmp_path: Path) -> None:
    path = write(tmp_path, "blackpool.txt", TRANSCRIPT)
    ingester.ingest([path])
    write(tmp_path, "blackpool.txt", EDITED)
    ingester.ingest([path])
    tables = ("documents", "passages", "document_versions")
    before = {t: ingester.con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in tables}
    report = ingester.ingest([path])
    assert (report.replaced, report.updated, report.skipped) == (0, 0, 1)
    after = {t: ingester.con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in tables}
    assert after == before


def test_the_same_folder_named_another_way_is_the_same_source(
    ingester: Ingester, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    write(folder, "blackpool.txt", TRANSCRIPT)
    monkeypatch.chdir(tmp_path)
    ingester.ingest([Path("corpus")])
    write(folder, "blackpool.txt", EDITED)
    monkeypatch.chdir(folder)
    report = ingester.ingest([Path("./")])
    assert count(ingester.con, "documents") == 1
    assert (report.added, report.replaced) == (0, 1)


def test_a_moved_file_keeps_its_document_and_its_next_edit_is_a_version(
    ingester: Ingester, folder: Path
) -> None:
    inbox = folder / "inbox"
    inbox.mkdir()
    ingester.ingest([write(inbox, "blackpool.txt", TRANSCRIPT)])
    moved = (inbox / "blackpool.txt").rename(folder / "blackpool.txt")
    report = ingester.ingest([folder])
    assert (report.skipped, report.duplicates) == (1, [])
    assert one(ingester.con, "SELECT path FROM documents") == (str(moved),)
    write(folder, "blackpool.txt", EDITED)
    report = ingester.ingest([folder])
    assert count(ingester.con, "documents") == 1
    assert report.replaced == 1


def test_a_corrected_manifest_date_is_applied(ingester: Ingester, folder: Path) -> None:
    write(folder, "blackpool.txt", TRANSCRIPT)
    write(folder, "manifest.csv", MANIFEST + "blackpool.txt,,,2018-03-14,\n")
    ingester.ingest([folder])
    passages = ingester.con.execute("SELECT * FROM passages ORDER BY ALL").fetchall()
    write(folder, "manifest.csv", MANIFEST + "blackpool.txt,,,2019-04-02,\n")
    report = ingester.ingest([folder])
    assert one(ingester.con, "SELECT review_date, review_date_precision FROM documents") == (
        dt.date(2019, 4, 2),
        "day",
    )
    assert (report.updated, report.skipped, report.replaced) == (1, 0, 0)
    assert ingester.con.execute("SELECT * FROM passages ORDER BY ALL").fetchall() == passages
    assert count(ingester.con, "document_versions") == 0


def test_a_changed_sidecar_is_applied(ingester: Ingester, tmp_path: Path) -> None:
    path = write(tmp_path, "blackpool.txt", TRANSCRIPT)
    write(tmp_path, "blackpool.meta.yaml", "area: Blackpool\n")
    ingester.ingest([path])
    write(tmp_path, "blackpool.meta.yaml", "area: Lincoln\ntitle: Lincoln interviews\n")
    report = ingester.ingest([path])
    row = one(
        ingester.con, "SELECT title, area, region, police_force, inferred_fields FROM documents"
    )
    assert row[:4] == ("Lincoln interviews", "Lincoln", "East Midlands", "Lincolnshire")
    assert "title" not in row[4] and "area" not in row[4]
    assert report.updated == 1


def test_a_field_taken_out_of_the_manifest_is_inferred_again(
    ingester: Ingester, folder: Path
) -> None:
    write(folder, "blackpool.txt", TRANSCRIPT)
    write(folder, "manifest.csv", MANIFEST + "blackpool.txt,,Derby,,\n")
    ingester.ingest([folder])
    write(folder, "manifest.csv", MANIFEST + "blackpool.txt,,,,\n")
    ingester.ingest([folder])
    area, inferred = one(ingester.con, "SELECT area, inferred_fields FROM documents")
    assert (area, "area" in inferred) == ("Blackpool", True)


def test_a_manifest_edit_that_resolves_the_same_is_no_update(
    ingester: Ingester, folder: Path
) -> None:
    write(folder, "blackpool.txt", TRANSCRIPT)
    write(folder, "manifest.csv", MANIFEST + "blackpool.txt,,,,transcript\n")
    ingester.ingest([folder])
    write(folder, "manifest.csv", MANIFEST + "blackpool.txt,,,,Transcript\n")
    report = ingester.ingest([folder])
    assert (report.updated, report.skipped) == (0, 1)


def test_an_unreadable_manifest_keeps_the_stored_metadata(ingester: Ingester, folder: Path) -> None:
    write(folder, "blackpool.txt", TRANSCRIPT)
    write(folder, "manifest.csv", MANIFEST + "blackpool.txt,,,2018-03-14,\n")
    ingester.ingest([folder])
    write(folder, "manifest.csv", "title,area\nblackpool.txt,Derby\n")
    report = ingester.ingest([folder])
    assert (report.updated, report.skipped) == (0, 1)
    assert one(ingester.con, "SELECT review_date, inferred_fields FROM documents")[0] == (
        dt.date(2018, 3, 14)
    )


def test_options_given_once_are_kept_by_a_rerun_without_them(
    ingester: Ingester, tmp_path: Path
) -> None:
    path = write(tmp_path, "notes.txt", "Notes from the meeting.\n\n" + EDITED.split("\n", 2)[2])
    ingester.ingest([path], IngestOptions(area="Hastings", review_date="2020-05"))
    write(tmp_path, "notes.txt", "Notes from the meeting, corrected.\n\n" + EDITED)
    ingester.ingest([path])
    assert ingester.con.execute("SELECT area, review_date FROM documents").fetchall() == [
        ("Hastings", dt.date(2020, 5, 1))
    ]


def test_new_options_on_a_rerun_are_applied(ingester: Ingester, tmp_path: Path) -> None:
    path = write(tmp_path, "notes.txt", "Notes from the meeting.\n\n" + EDITED.split("\n", 2)[2])
    ingester.ingest([path], IngestOptions(area="Hastings"))
    report = ingester.ingest([path], IngestOptions(area="Lincoln"))
    assert one(ingester.con, "SELECT area FROM documents") == ("Lincoln",)
    assert report.updated == 1


def test_a_file_edited_into_a_copy_of_another_is_a_duplicate(
    ingester: Ingester, folder: Path
) -> None:
    first = write(folder, "a.txt", TRANSCRIPT)
    second = write(folder, "b.txt", EDITED)
    ingester.ingest([folder])
    write(folder, "b.txt", TRANSCRIPT)
    report = ingester.ingest([folder])
    assert report.duplicates == [{"path": str(second), "duplicate_of": str(first)}]
    assert one(ingester.con, "SELECT count(*), min(path) FROM documents") == (1, str(first))
    assert one(ingester.con, "SELECT path FROM document_versions") == (str(second),)


def test_documents_from_before_versions_are_claimed_and_stale_copies_retired(
    settings: Settings, tmp_path: Path
) -> None:
    """Before versions, each in-place edit added a document: the newest is kept, once."""
    path = write(tmp_path, "blackpool.txt", TRANSCRIPT)
    with open_warehouse(settings.db) as con:
        Ingester(con, settings).ingest([path])
    write(tmp_path, "blackpool.txt", EDITED)
    _add_as_an_older_findings_did(settings.db, path)
    with open_warehouse(settings.db) as con:
        assert one(con, "SELECT count(*), count(source_path) FROM documents") == (2, 0)
        report = Ingester(con, settings).ingest([path])
        assert (report.added, report.replaced, report.updated, report.skipped) == (0, 0, 0, 1)
        (current,) = one(con, "SELECT doc_id FROM documents")
        assert one(con, "SELECT source_path FROM documents") == (str(path.resolve()),)
        assert "The debt grows every week, and the threats with it." in passage_texts(con)
        assert one(con, "SELECT count(*), min(replaced_by) FROM document_versions") == (1, current)
        assert one(con, "SELECT count(DISTINCT doc_id) FROM passages") == (1,)


TABLES = ("documents", "passages")


def _add_as_an_older_findings_did(db: Path, path: Path) -> None:
    """Ingest `path` as a new document a day later, and forget every row's source and hash."""
    scratch = db.with_name("scratch.duckdb")
    with open_warehouse(scratch) as con:
        Ingester(con, Settings(db=scratch)).ingest([path])
        later = {table: con.execute(f"SELECT * FROM {table}").df() for table in TABLES}
    later["documents"]["ingested_at"] += pd.Timedelta(days=1)
    with open_warehouse(db) as con:
        for table, frame in later.items():
            con.register("later", frame)
            con.execute(f"INSERT INTO {table} SELECT * FROM later")
            con.unregister("later")
        con.execute(
            "UPDATE documents SET source_path = NULL, metadata_sha = NULL, given_options = NULL"
        )


@pytest.mark.slow  # two real embed-and-theme runs
def test_theme_counts_never_count_a_source_twice(tmp_path: Path) -> None:
    """Across a replacement and the theme run after it, a review is counted once at most."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    names = ("02_bedford_practitioner_interviews.txt", "09_warrington_review_notes.txt")
    for name in (*names, "19_lincoln_practitioner_interviews.txt"):
        shutil.copy(CORPUS / name, folder / name)
    ingested = tmp_path / "ingested.duckdb"
    with open_warehouse(ingested) as con:
        Ingester(con, Settings(db=ingested)).ingest([folder])
    themed = embed_and_theme(ingested, tmp_path / "themed.duckdb")
    edited = folder / names[1]
    edited.write_text(
        edited.read_text(encoding="utf-8").replace("Warrington sits", "Warrington lies"),
        encoding="utf-8",
    )
    with open_warehouse(themed) as con:
        report = Ingester(con, Settings(db=themed)).ingest([folder])
        assert (count(con, "documents"), report.replaced) == (3, 1)
        source = str(edited.resolve())
        # Before the next theme run: the old version's counts are gone with it, and the new
        # version has none yet.
        assert _counted_passages(con, source) == 0
    rethemed = embed_and_theme(themed, tmp_path / "rethemed.duckdb")
    with duckdb.connect(str(rethemed), read_only=True) as con:
        assert count(con, "documents") == 3
        themed_passages = one(
            con,
            "SELECT count(*) FROM current_passage_themes JOIN passages USING (passage_id) "
            "JOIN documents USING (doc_id) WHERE source_path = ?",
            [source],
        )[0]
        assert _counted_passages(con, source) == themed_passages > 0
        assert one(
            con, "SELECT sum(n_passages) FROM document_themes JOIN documents USING (doc_id)"
        ) == one(
            con, "SELECT count(*) FROM current_passage_themes JOIN passages USING (passage_id)"
        )


def _counted_passages(con: duckdb.DuckDBPyConnection, source: str) -> int:
    return one(
        con,
        "SELECT coalesce(sum(n_passages), 0) FROM document_themes JOIN documents USING (doc_id) "
        "WHERE source_path = ?",
        [source],
    )[0]


# The property: any sequence of edits to a file's text and its manifest date, each ingested,
# ends in the warehouse a single ingest of the final file would give (version history aside).
PARAGRAPHS = (
    "Young people are given phones and told they owe money for them.",
    "The debt never goes away, whatever they do, and it grows each week.",
    "Exclusions feed the pupil referral unit, where recruitment happens.",
    "Return home interviews are completed late and rarely shared with police.",
)
DATES = (None, "2017-01-09", "2018-06")
STATE = {
    "documents": "SELECT * EXCLUDE (ingested_at) FROM documents ORDER BY ALL",
    "passages": "SELECT * FROM passages ORDER BY ALL",
    "notes": "SELECT path, source_sha256, reason, severity FROM ingest_errors ORDER BY ALL",
}
versions = strategies.tuples(
    strategies.lists(strategies.sampled_from(PARAGRAPHS), min_size=1, max_size=4, unique=True),
    strategies.sampled_from(DATES),
)


@pytest.fixture(scope="module")
def empty_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated warehouse with its places loaded: copied per example, which is fast."""
    db = tmp_path_factory.mktemp("empty") / "empty.duckdb"
    with open_warehouse(db) as con:
        Ingester(con, _blank(db))
    return db


def _blank(db: Path) -> Settings:
    # The rule-based sentencizer: versions do not depend on the language model, and it loads
    # in no time for each example.
    return Settings(db=db, spacy_model="blank")


@given(steps=strategies.lists(versions, min_size=1, max_size=4))
@run_settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_any_sequence_of_edits_ends_as_one_ingest_of_the_last(
    empty_warehouse: Path, steps: list[tuple[list[str], str | None]]
) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / "corpus"
        folder.mkdir()
        edited = _copy(empty_warehouse, Path(scratch) / "edited.duckdb")
        with open_warehouse(edited) as con:
            ingester = Ingester(con, _blank(edited))
            for paragraphs, date in steps:
                _write_version(folder, paragraphs, date)
                assert not ingester.ingest([folder]).errors
            history = count(con, "document_versions")
            after_edits = {name: con.execute(sql).fetchall() for name, sql in STATE.items()}
        fresh = _copy(empty_warehouse, Path(scratch) / "fresh.duckdb")
        with open_warehouse(fresh) as con:
            Ingester(con, _blank(fresh)).ingest([folder])
            assert {name: con.execute(sql).fetchall() for name, sql in STATE.items()} == (
                after_edits
            )
    texts = {"\n\n".join(paragraphs) for paragraphs, _ in steps}
    assert history <= len(steps) - 1 and (history > 0 or len(texts) == 1)


def _copy(source: Path, target: Path) -> Path:
    shutil.copy(source, target)
    return target


def _write_version(folder: Path, paragraphs: list[str], date: str | None) -> None:
    write(folder, "review.txt", "Review notes\n\n" + "\n\n".join(paragraphs) + "\n")
    manifest = folder / "manifest.csv"
    if date is None:
        manifest.unlink(missing_ok=True)
    else:
        write(folder, "manifest.csv", MANIFEST + f"review.txt,,,{date},\n")


@pytest.mark.slow  # an embed-and-theme run
def test_an_edit_leaves_its_unchanged_passages_on_their_themes(
    themed_db: Path, tmp_path: Path
) -> None:
    """The walkthrough's Thanet edit: untouched passages went to no theme under their new ids."""
    db = tmp_path / "themed.duckdb"
    shutil.copy(themed_db, db)
    edited = tmp_path / "corpus" / "09_warrington_review_notes.txt"
    edited.parent.mkdir()
    text = (CORPUS / edited.name).read_text(encoding="utf-8")
    edited.write_text(text.replace("Warrington sits", "Warrington lies"), encoding="utf-8")
    with open_warehouse(db) as con:
        (source,) = one(
            con, "SELECT source_path FROM documents WHERE path LIKE ?", [f"%{edited.name}"]
        )
        # The copy in tmp_path stands for the original file, edited in place.
        con.execute(
            "UPDATE documents SET source_path = ? WHERE source_path = ?",
            [str(edited.resolve()), source],
        )
        assert Ingester(con, Settings(db=db)).ingest([edited]).replaced == 1
        (before_run,) = one(con, "SELECT run_id FROM theme_runs ORDER BY started_at DESC LIMIT 1")
    rethemed = embed_and_theme(db, tmp_path / "rethemed.duckdb")
    with duckdb.connect(str(rethemed), read_only=True) as con:
        (mode,) = one(con, "SELECT mode FROM theme_runs ORDER BY started_at DESC LIMIT 1")
        pairs = con.execute(
            "SELECT old.theme_id, new.theme_id FROM passage_successors AS s "
            "JOIN passage_themes AS old ON old.passage_id = s.passage_id AND old.run_id = ? "
            "JOIN current_passage_themes AS new ON new.passage_id = s.successor_id",
            [before_run],
        ).fetchall()
        changed = changes_since_previous_run(con).new_documents
    assert mode == "update"
    assert len(pairs) >= 5
    assert [new for _, new in pairs] == [old for old, _ in pairs]
    # The latest run's news: one review edited, none added.
    assert changed["edited"].tolist() == [True]
