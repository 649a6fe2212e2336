from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import FileTooLargeError, UnsupportedFormatError
from pipeline.ingest.files import discover_files, read_document_bytes, supported_suffixes


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
    found = [p.relative_to(tmp_path).as_posix() for p in discover_files([tmp_path])]
    # Unsupported files are still yielded: the batch reports them rather than ignoring them.
    assert found == ["a.md", "b.txt", "notes.xyz", "sub/c.pdf"]


def test_a_file_named_directly_is_yielded_as_it_is(tmp_path: Path) -> None:
    manifest = touch(tmp_path, "manifest.csv")
    assert list(discover_files([manifest])) == [manifest]


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
