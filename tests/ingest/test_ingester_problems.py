"""A batch meets paths it cannot use and files that would swamp it: each is recorded with its
own reason, and the rest of the batch is ingested."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from pipeline.ingest.ingester import Ingester
from tests.ingest.test_ingester import TRANSCRIPT
from tests.ingest.test_readers import docx_with_body, repeated


def link_loop(folder: Path) -> Path:
    (folder / "loop.txt").symlink_to(folder / "loop.txt")
    return folder / "loop.txt"


def link_to_nothing(folder: Path) -> Path:
    (folder / "moved.txt").symlink_to("gone.txt")
    return folder / "moved.txt"


def named_pipe(folder: Path) -> Path:
    os.mkfifo(folder / "pipe.txt")
    return folder / "pipe.txt"


def link_to_a_folder_above(folder: Path) -> Path:
    (folder / "up").symlink_to(folder)
    return folder / "up"


def zip_bomb(folder: Path) -> Path:
    (folder / "bomb.docx").write_bytes(docx_with_body(repeated(8_000)))
    return folder / "bomb.docx"


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (link_loop, "symbolic link loop"),
        (link_to_nothing, "link points to nothing (gone.txt does not exist)"),
        (named_pipe, "not a regular file (a named pipe)"),
        (link_to_a_folder_above, "symbolic link loop (it leads back to a folder above)"),
        (zip_bomb, "word/document.xml in the DOCX unpacks to 126 times its size"),
    ],
)
def test_a_path_the_batch_cannot_use_is_recorded_with_its_reason_and_the_batch_goes_on(
    ingester: Ingester,
    warehouse: duckdb.DuckDBPyConnection,
    tmp_path: Path,
    make: Callable[[Path], Path],
    reason: str,
) -> None:
    batch = tmp_path / "batch"
    batch.mkdir()
    (batch / "interviews.txt").write_text(TRANSCRIPT)
    bad = make(batch)
    report = ingester.ingest([batch])
    assert report.added == 1
    assert [e["path"] for e in report.errors] == [str(bad)]
    assert report.errors[0]["reason"].startswith(reason)
    recorded = warehouse.execute("SELECT path, reason FROM ingest_errors").fetchall()
    assert [(path, text.startswith(reason)) for path, text in recorded] == [(str(bad), True)]


def test_a_name_that_does_not_exist_is_recorded(ingester: Ingester, tmp_path: Path) -> None:
    (tmp_path / "interviews.txt").write_text(TRANSCRIPT)
    report = ingester.ingest([tmp_path / "interviews.txt", tmp_path / "missing"])
    assert report.added == 1
    assert report.errors == [
        {"path": str(tmp_path / "missing"), "reason": "no such file or folder"}
    ]


@pytest.mark.slow
def test_a_single_line_over_spacys_limit_is_ingested_with_exact_offsets(
    ingester: Ingester, warehouse: duckdb.DuckDBPyConnection, seed_path: Path, tmp_path: Path
) -> None:
    # spaCy refuses over 1,000,000 characters at once (E088): the seed report's words on one
    # line, repeated past that. (A 5 MB line took 9 minutes on two busy cores, all of it spaCy
    # at ~11,000 characters a second; 1.1 MB exercises the same pieces in a fifth of the time.)
    words = " ".join(seed_path.read_text(encoding="utf-8").split())
    line = tmp_path / "one-line.txt"
    line.write_text((words + " ") * (1_100_000 // len(words) + 1))
    report = ingester.ingest([line])
    assert report.errors == []
    [(text,)] = warehouse.execute("SELECT text FROM documents").fetchall()
    passages = warehouse.execute("SELECT char_start, char_end, text FROM passages").fetchall()
    assert all(text[start:end] == passage for start, end, passage in passages)
    # Only fragments under the passage minimum (a page number, "Director") are left out.
    in_passages = sum(len(passage.split()) for _, _, passage in passages)
    assert in_passages > 0.99 * len(text.split())


def test_the_ingester_applies_the_configured_docx_limits(
    warehouse: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    from pipeline.settings import Settings

    path = tmp_path / "long.docx"
    path.write_bytes(docx_with_body(repeated(40)))
    strict = Ingester(warehouse, Settings(db=tmp_path / "w.duckdb", max_paragraphs=10))
    report = strict.ingest([path])
    assert report.added == 0
    assert [e["path"] for e in report.errors] == [str(path)]
    assert "paragraph" in report.errors[0]["reason"]


def test_a_file_name_that_is_not_utf8_is_refused_alone_and_the_batch_goes_on(
    ingester: Ingester, warehouse: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    folder = tmp_path / "reviews"
    folder.mkdir()
    odd = os.fsdecode(bytes(folder) + b"/caf\xe9.txt")
    Path(odd).write_text(TRANSCRIPT, encoding="utf-8")
    (folder / "fine.txt").write_text(TRANSCRIPT.replace("Bedford", "Luton"), encoding="utf-8")
    report = ingester.ingest([folder])
    assert report.added == 1
    assert [e["reason"] for e in report.errors] == [
        "the file name is not valid UTF-8: rename the file"
    ]
    (recorded,) = warehouse.execute("SELECT path FROM ingest_errors").fetchone()
    assert recorded.endswith("caf\ufffd.txt")
