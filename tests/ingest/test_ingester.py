from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import duckdb
import pytest

from pipeline.ingest.ingester import Ingester
from pipeline.ingest.prepare import IngestOptions
from pipeline.settings import Settings
from tests.ingest.test_readers import make_docx, make_pdf

TRANSCRIPT = """Practitioner interviews: Blackpool
14 March 2018

Interview 1: Youth Offending Team

Interviewer: What are you seeing in Blackpool?

YOT worker: Lines come in from Liverpool and Manchester.
Young people are given phones and told they owe money.

The debt never goes away, whatever they do.

Interviewer: And the schools?

School DSL: Exclusions feed the pupil referral unit, and the PRU is where recruitment happens.
"""


def count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def test_transcript_turns_become_passages_with_speakers(ingester: Ingester, tmp_path: Path) -> None:
    path = write(tmp_path, "blackpool.txt", TRANSCRIPT)
    report = ingester.ingest([path], IngestOptions(doc_type="transcript"))
    assert report.added == 1
    rows = ingester.con.execute("SELECT speaker, text FROM passages ORDER BY ordinal").fetchall()
    speakers = [r[0] for r in rows]
    # "And the schools?" is too short to be a passage on its own; the unlabelled paragraph
    # continues the YOT worker's turn.
    assert speakers == ["Interviewer", "YOT worker", "YOT worker", "YOT worker", "School DSL"]
    assert rows[3][1] == "The debt never goes away, whatever they do."


def test_metadata_is_inferred_and_flagged_when_not_given(
    ingester: Ingester, tmp_path: Path
) -> None:
    ingester.ingest([write(tmp_path, "blackpool.txt", TRANSCRIPT)])
    row = ingester.con.execute(
        "SELECT area, region, police_force, review_date, doc_type, inferred_fields FROM documents"
    ).fetchone()
    assert row[:5] == ("Blackpool", "North West", "Lancashire", dt.date(2018, 3, 14), "transcript")
    assert set(row[5]) == {"title", "area", "review_date", "doc_type"}


def test_manifest_beats_sidecar_beats_options(ingester: Ingester, tmp_path: Path) -> None:
    write(tmp_path, "a.txt", TRANSCRIPT)
    write(tmp_path, "manifest.csv", "path,title,area,review_date,doc_type\na.txt,A,Derby,,\n")
    write(tmp_path, "a.meta.yaml", "area: Lincoln\nreview_date: 2019-02\n")
    ingester.ingest(
        [tmp_path], IngestOptions(area="Hastings", review_date="2010-01-01", doc_type="notes")
    )
    row = ingester.con.execute(
        "SELECT title, area, review_date, review_date_precision, doc_type, inferred_fields "
        "FROM documents"
    ).fetchone()
    assert row[:5] == ("A", "Derby", dt.date(2019, 2, 1), "month", "notes")
    assert list(row[5]) == []


def test_front_matter_comes_after_manifest_and_sidecar_and_before_options(
    ingester: Ingester, tmp_path: Path
) -> None:
    front = (
        "---\ntitle: From front matter\narea: Torbay\nreview_date: 2018-07-02\n"
        "doc_type: report\n---\n\n" + TRANSCRIPT
    )
    write(tmp_path, "b.md", front)
    write(tmp_path, "manifest.csv", "path,title,area,review_date,doc_type\nb.md,,Derby,,\n")
    write(tmp_path, "b.meta.yaml", "review_date: 2019-02\n")
    ingester.ingest(
        [tmp_path], IngestOptions(area="Hastings", review_date="2010-01-01", doc_type="notes")
    )
    row = ingester.con.execute(
        "SELECT title, area, review_date, doc_type, inferred_fields FROM documents"
    ).fetchone()
    # manifest: area; sidecar: date; front matter: title and type (beating the options).
    assert row[:4] == ("From front matter", "Derby", dt.date(2019, 2, 1), "report")
    assert list(row[4]) == []


def test_front_matter_fills_what_nothing_else_gives(ingester: Ingester, tmp_path: Path) -> None:
    write(tmp_path, "c.md", "---\narea: Torbay\nreview_date: 2018-07-02\n---\n\n" + TRANSCRIPT)
    ingester.ingest([tmp_path])
    area, review_date, inferred = ingester.con.execute(
        "SELECT area, review_date, inferred_fields FROM documents"
    ).fetchone()
    assert (area, review_date) == ("Torbay", dt.date(2018, 7, 2))
    assert "area" not in inferred and "review_date" not in inferred


def test_reingesting_the_same_file_is_a_no_op(ingester: Ingester, tmp_path: Path) -> None:
    path = write(tmp_path, "blackpool.txt", TRANSCRIPT)
    first = ingester.ingest([path])
    before = (count(ingester.con, "documents"), count(ingester.con, "passages"))
    second = ingester.ingest([path])
    assert (first.added, second.added, second.skipped) == (1, 0, 1)
    assert (count(ingester.con, "documents"), count(ingester.con, "passages")) == before


def test_same_text_under_another_name_is_a_reported_duplicate(
    ingester: Ingester, tmp_path: Path
) -> None:
    path = write(tmp_path, "blackpool.txt", TRANSCRIPT)
    ingester.ingest([path])
    copy = write(tmp_path, "copy.txt", TRANSCRIPT)
    report = ingester.ingest([copy])
    assert report.duplicates == [{"path": str(copy), "duplicate_of": str(path)}]
    assert count(ingester.con, "documents") == 1


def test_bad_files_are_recorded_and_the_batch_goes_on(tmp_path: Path) -> None:
    batch = tmp_path / "batch"
    batch.mkdir()
    write(batch, "good.txt", TRANSCRIPT)
    write(batch, "good.docx", make_docx())
    write(batch, "empty.txt", "")
    write(batch, "corrupt.pdf", b"%PDF-1.7\nthis is not really a pdf")
    pdf = make_pdf()
    write(batch, "truncated.pdf", pdf[: len(pdf) // 2])
    write(batch, "random.docx", os.urandom(4096))
    write(batch, "notes.xyz", "some notes")
    write(batch, "huge.txt", "word " * 40_000)
    os.symlink(batch / "missing.txt", batch / "unreadable.txt")
    settings = Settings(db=tmp_path / "w.duckdb", max_file_mb=0.1)
    from pipeline.storage import open_warehouse

    with open_warehouse(settings.db) as con:
        report = Ingester(con, settings).ingest([batch])
        failed = {Path(e["path"]).name: e["reason"] for e in report.errors}
        assert report.added == 2
        assert set(failed) == {
            "empty.txt",
            "corrupt.pdf",
            "truncated.pdf",
            "random.docx",
            "notes.xyz",
            "huge.txt",
            "unreadable.txt",
        }
        assert "empty" in failed["empty.txt"]
        assert "PDF" in failed["corrupt.pdf"]
        assert "DOCX" in failed["random.docx"]
        assert "unsupported file type .xyz" in failed["notes.xyz"]
        assert "file is 0.19 MB, over the 0.1 MB limit" in failed["huge.txt"]
        assert "link points to nothing" in failed["unreadable.txt"]
        recorded = con.execute(
            "SELECT path, reason FROM ingest_errors WHERE severity = 'error'"
        ).fetchall()
        assert {Path(p).name for p, _ in recorded} == set(failed)
        paths = {Path(r[0]).name for r in con.execute("SELECT path FROM documents").fetchall()}
        assert paths == {"good.txt", "good.docx"}


def test_a_failed_write_leaves_no_half_document(ingester: Ingester, tmp_path: Path) -> None:
    path = write(tmp_path, "blackpool.txt", TRANSCRIPT)
    data = path.read_bytes()
    prepared = ingester.prepare(path, data, "sha", IngestOptions())
    broken = prepared.__class__(**{**prepared.__dict__, "passages": [*prepared.passages, None]})
    with pytest.raises(AttributeError):
        ingester.write(broken)
    assert count(ingester.con, "documents") == 0
    assert count(ingester.con, "passages") == 0


def test_rerun_after_fixing_a_file_clears_its_error(ingester: Ingester, tmp_path: Path) -> None:
    path = write(tmp_path, "fixed.txt", "")
    ingester.ingest([path])
    write(tmp_path, "fixed.txt", TRANSCRIPT)
    ingester.ingest([path])
    assert ingester.con.execute(
        "SELECT count(*) FROM ingest_errors WHERE severity = 'error'"
    ).fetchone() == (0,)


def test_unknown_area_is_kept_with_a_warning(ingester: Ingester, tmp_path: Path) -> None:
    path = write(tmp_path, "a.txt", TRANSCRIPT)
    report = ingester.ingest([path], IngestOptions(area="Atlantis"))
    assert report.added == 1
    assert "not in the gazetteer" in report.warnings[0]["reason"]
    assert ingester.con.execute("SELECT area, region FROM documents").fetchone() == (
        "Atlantis",
        None,
    )


def test_copying_a_folder_twice_adds_nothing_new(ingester: Ingester, tmp_path: Path) -> None:
    first = tmp_path / "one"
    first.mkdir()
    write(first, "blackpool.txt", TRANSCRIPT)
    ingester.ingest([first])
    second = tmp_path / "two"
    shutil.copytree(first, second)
    report = ingester.ingest([first, second])
    assert report.added == 0 and report.skipped == 2


def test_a_broken_manifest_is_recorded_once_by_ingest_and_never_by_prepare(
    ingester: Ingester, tmp_path: Path
) -> None:
    write(tmp_path, "manifest.csv", "title,area\na.txt,Derby\n")
    first = write(tmp_path, "a.txt", TRANSCRIPT)
    ingester.prepare(first, first.read_bytes(), "sha", IngestOptions())
    assert count(ingester.con, "ingest_errors") == 0
    write(tmp_path, "b.txt", TRANSCRIPT.replace("Blackpool", "Derby"))
    report = ingester.ingest([tmp_path])
    assert report.added == 2
    recorded = ingester.con.execute(
        "SELECT path, severity FROM ingest_errors WHERE reason LIKE '%header must name%'"
    ).fetchall()
    assert recorded == [(str(tmp_path / "manifest.csv"), "error")]


def test_manifest_warnings_are_reported_recorded_and_gone_once_put_right(
    ingester: Ingester, tmp_path: Path
) -> None:
    write(tmp_path, "a.txt", TRANSCRIPT)
    write(tmp_path, "manifest.csv", "path,area\na.txt,Blackpool\ngone.txt,Derby\n")
    report = ingester.ingest([tmp_path])
    assert report.added == 1
    assert [w["reason"] for w in report.warnings if w["path"].endswith("manifest.csv")] == [
        "line 3: gone.txt is not in the folder (a file renamed or not copied?)"
    ]
    assert count(ingester.con, "ingest_errors") >= 1
    write(tmp_path, "manifest.csv", "path,area\na.txt,Blackpool\n")
    again = ingester.ingest([tmp_path])
    assert not [w for w in again.warnings if w["path"].endswith("manifest.csv")]
    recorded = ingester.con.execute(
        "SELECT count(*) FROM ingest_errors WHERE path LIKE '%manifest.csv'"
    ).fetchone()
    assert recorded == (0,)


def test_sources_that_disagree_are_a_warning_naming_which_applies(
    ingester: Ingester, tmp_path: Path
) -> None:
    # A sidecar's area that the manifest overrode was dropped without a word.
    write(tmp_path, "a.txt", TRANSCRIPT)
    write(tmp_path, "manifest.csv", "path,area\na.txt,Blackpool\n")
    write(tmp_path, "a.meta.yaml", "area: Hartlepool\n")
    report = ingester.ingest([tmp_path], IngestOptions(area="blackpool"))
    assert report.added == 1
    said = [w["reason"] for w in report.warnings if w["reason"].startswith("area:")]
    assert said == [
        "area: manifest.csv line 2 says 'Blackpool' and applies; a.meta.yaml says 'Hartlepool'; "
        "command-line options says 'blackpool'"
    ]
