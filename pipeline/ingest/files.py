"""Which files a batch covers, and their bytes: the file-system edge of the ingest stage."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from pipeline.ingest.metadata import MANIFEST_NAME
from pipeline.ingest.readers import SUPPORTED_SUFFIXES, check_supported, read_bytes

# Metadata files describe documents; they are never documents themselves.
SKIP_NAMES = frozenset({MANIFEST_NAME})
SIDECAR_SUFFIX = ".meta.yaml"


@dataclass(frozen=True)
class FoundPath:
    """A file to ingest, or a path the batch cannot use and why (then `problem` is set)."""

    path: Path
    problem: str | None = None


def supported_suffixes() -> tuple[str, ...]:
    """File extensions Findings reads."""
    return SUPPORTED_SUFFIXES


def is_metadata_file(path: Path) -> bool:
    """Whether a file is a folder manifest or a sidecar rather than a document."""
    return path.name in SKIP_NAMES or path.name.endswith(SIDECAR_SUFFIX)


def discover_files(paths: Iterable[Path]) -> Iterator[FoundPath]:
    """Files named directly, and every file under named folders (sorted, hidden ones skipped).

    Nothing is passed over in silence: a path that cannot be used (a folder that cannot be
    read, a link in a loop or to nothing, a pipe or a device, a name that does not exist) is
    yielded with its problem, and files of an unsupported type are yielded for the batch to
    report. Links to folders are followed, except back into a folder they are inside.
    """
    for path in paths:
        pending = [_Pending(path, ())]
        while pending:
            item = pending.pop()
            try:
                status = item.path.stat()
            except OSError as exc:
                yield FoundPath(item.path, _unusable(item.path, exc))
                continue
            if stat.S_ISREG(status.st_mode):
                yield FoundPath(item.path)
            elif not stat.S_ISDIR(status.st_mode):
                yield FoundPath(item.path, f"not a regular file ({_kind(status.st_mode)})")
            elif (status.st_dev, status.st_ino) in item.ancestors:
                yield FoundPath(item.path, "symbolic link loop (it leads back to a folder above)")
            else:
                try:
                    children = _children(item.path)
                except OSError as exc:
                    yield FoundPath(item.path, f"folder cannot be read: {_reason(exc)}")
                    continue
                ancestors = (*item.ancestors, (status.st_dev, status.st_ino))
                # Last pushed, first walked: reversed, the folder is walked in name order.
                pending.extend(_Pending(child, ancestors) for child in reversed(children))


@dataclass(frozen=True)
class _Pending:
    """A path still to look at, and the folders (device, inode) it was reached through."""

    path: Path
    ancestors: tuple[tuple[int, int], ...]


def _children(folder: Path) -> list[Path]:
    """A folder's entries in name order, without hidden and metadata files."""
    with os.scandir(folder) as entries:
        names = sorted(entry.name for entry in entries)
    return [
        folder / name
        for name in names
        if not name.startswith(".") and not is_metadata_file(folder / name)
    ]


def _unusable(path: Path, exc: OSError) -> str:
    """Why a path whose status cannot be read cannot be used, in words."""
    if exc.errno == errno.ELOOP:
        return "symbolic link loop"
    if exc.errno == errno.ENOENT and path.is_symlink():
        try:
            return f"link points to nothing ({os.readlink(path)} does not exist)"
        except OSError:
            return "link points to nothing"
    if exc.errno == errno.ENOENT:
        return "no such file or folder"
    return f"cannot be read: {_reason(exc)}"


def _reason(exc: OSError) -> str:
    return (exc.strerror or str(exc)).lower()


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "neither a file nor a folder"


def read_document_bytes(path: Path, max_bytes: int) -> bytes:
    """A supported file's bytes, refusing an unknown type or an oversized file before reading."""
    check_supported(path)
    return read_bytes(path, max_bytes)
