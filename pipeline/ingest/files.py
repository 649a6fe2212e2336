"""Which files a batch covers, and their bytes: the file-system edge of the ingest stage."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from pipeline.ingest.metadata import MANIFEST_NAME
from pipeline.ingest.readers import SUPPORTED_SUFFIXES, check_supported, read_bytes

# Metadata files describe documents; they are never documents themselves.
SKIP_NAMES = frozenset({MANIFEST_NAME})
SIDECAR_SUFFIX = ".meta.yaml"


def supported_suffixes() -> tuple[str, ...]:
    """File extensions Findings reads."""
    return SUPPORTED_SUFFIXES


def is_metadata_file(path: Path) -> bool:
    """Whether a file is a folder manifest or a sidecar rather than a document."""
    return path.name in SKIP_NAMES or path.name.endswith(SIDECAR_SUFFIX)


def discover_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Files named directly, and every file under named folders (sorted, hidden ones skipped).

    Files of an unsupported type are still yielded: the batch reports them as failures rather
    than passing over them in silence.
    """
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                relative = child.relative_to(path)
                if any(part.startswith(".") for part in relative.parts):
                    continue
                if child.is_dir() or is_metadata_file(child):
                    continue
                yield child
        else:
            yield path


def read_document_bytes(path: Path, max_bytes: int) -> bytes:
    """A supported file's bytes, refusing an unknown type or an oversized file before reading."""
    check_supported(path)
    return read_bytes(path, max_bytes)
