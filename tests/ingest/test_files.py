from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.errors import FileTooLargeError, UnsupportedFormatError
from pipeline.ingest.files import (
    FoundPath,
    discover_files,
    read_document_bytes,
    supported_suffixes,
)
from tests.conftest import REPO
from tests.helpers import unprivileged


def touch(folder: Path, name: str, content: str = "text") -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8")
    return path


def test_folders_are_walked_sorted_skipping_hidden_and_metadata_files(tmp_path: Path) -> None:
    for name in [
        "b.txt",
        "a.md",
        "sub/c.pdf",
        "notes.xyz",
        "manifest.csv",
        "a.meta.yaml",
        ".hidden/d.txt",
        ".e.txt",
    ]:
        touch(tmp_path, name)
    found = list(discover_files([tmp_path]))
    # Unsupported files are still yielded: the batch reports them rather than ignoring them.
    assert [f.path.relative_to(tmp_path).as_posix() for f in found] == [
        "a.md",
        "b.txt",
        "notes.xyz",
        "sub/c.pdf",
    ]
    assert all(f.problem is None for f in found)


def test_a_file_named_directly_is_yielded_as_it_is(tmp_path: Path) -> None:
    manifest = touch(tmp_path, "manifest.csv")
    assert list(discover_files([manifest])) == [FoundPath(manifest)]


def problems(paths: list[Path]) -> dict[str, str | None]:
    """What discovery yields, relative path to problem (None for a file to ingest)."""
    root = paths[0] if paths[0].is_dir() else paths[0].parent
    return {os.path.relpath(found.path, root): found.problem for found in discover_files(paths)}


def test_a_name_that_does_not_exist_is_reported(tmp_path: Path) -> None:
    assert problems([tmp_path / "missing.txt"]) == {"missing.txt": "no such file or folder"}


def test_links_in_a_loop_are_reported_as_a_loop(tmp_path: Path) -> None:
    touch(tmp_path, "a.txt")
    (tmp_path / "b.txt").symlink_to(tmp_path / "c.txt")
    (tmp_path / "c.txt").symlink_to(tmp_path / "b.txt")
    assert problems([tmp_path]) == {
        "a.txt": None,
        "b.txt": "symbolic link loop",
        "c.txt": "symbolic link loop",
    }


def test_a_link_back_to_a_folder_above_is_reported_as_a_loop(tmp_path: Path) -> None:
    touch(tmp_path, "sub/a.txt")
    (tmp_path / "sub" / "up").symlink_to(tmp_path)
    assert problems([tmp_path]) == {
        "sub/a.txt": None,
        "sub/up": "symbolic link loop (it leads back to a folder above)",
    }


def test_a_link_to_another_folder_is_followed(tmp_path: Path) -> None:
    touch(tmp_path, "elsewhere/a.txt")
    touch(tmp_path, "batch/b.txt")
    (tmp_path / "batch" / "linked").symlink_to(tmp_path / "elsewhere")
    assert problems([tmp_path / "batch"]) == {"b.txt": None, "linked/a.txt": None}


def test_a_link_to_nothing_is_reported_with_its_target(tmp_path: Path) -> None:
    (tmp_path / "report.txt").symlink_to("moved-away.txt")
    assert problems([tmp_path]) == {
        "report.txt": "link points to nothing (moved-away.txt does not exist)"
    }


def test_a_named_pipe_is_reported_and_never_opened(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.txt")  # opened, it would wait for a writer forever
    assert problems([tmp_path]) == {"pipe.txt": "not a regular file (a named pipe)"}


def test_a_folder_that_cannot_be_read_is_reported(locked_folder: Path) -> None:
    # Listed in a child process whose permissions bind, even when the tests run as root.
    script = (
        "import json, sys; from pathlib import Path; "
        "from pipeline.ingest.files import discover_files; "
        "print(json.dumps([[str(f.path), f.problem] for f in discover_files([Path(sys.argv[1])])]))"
    )
    completed = subprocess.run(
        unprivileged([sys.executable, "-c", script, str(locked_folder)]),
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    )
    assert json.loads(completed.stdout) == [
        [str(locked_folder / "a.txt"), None],
        [str(locked_folder / "locked"), "folder cannot be read: permission denied"],
    ]


@pytest.mark.parametrize(
    ("name", "content", "error"),
    [
        ("notes.xyz", "some notes", UnsupportedFormatError),
        ("huge.txt", "word " * 1000, FileTooLargeError),
    ],
)
def test_unsupported_or_oversized_files_are_refused(
    tmp_path: Path, name: str, content: str, error: type[Exception]
) -> None:
    with pytest.raises(error):
        read_document_bytes(touch(tmp_path, name, content), max_bytes=1000)


def test_a_supported_file_under_the_limit_is_read(tmp_path: Path) -> None:
    assert read_document_bytes(touch(tmp_path, "a.md", "# Title"), max_bytes=1000) == b"# Title"
    assert ".md" in supported_suffixes()
