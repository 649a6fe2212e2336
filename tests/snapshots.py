"""Snapshots as users met them: truncated, of an older schema, or put in place by hand."""

from __future__ import annotations

import shutil
from pathlib import Path

from pipeline.storage import apply_migrations, connect
from pipeline.storage.migrations import expected_versions
from pipeline.storage.publish import CURRENT, published_dir


def truncate(path: Path) -> None:
    """Cut a file to half its length, as a full disk or a killed copy leaves it."""
    with path.open("r+b") as file:
        file.truncate(path.stat().st_size // 2)


def older_schema_database(path: Path) -> Path:
    """A database as the previous Findings wrote it: every migration but the newest."""
    with connect(path) as con:
        apply_migrations(con, upto=expected_versions()[-2])
    return path


def place_as_current(db: Path, source: Path, name: str) -> Path:
    """Put a file in the published folder as the current snapshot, as a publish would."""
    target = published_dir(db) / name
    shutil.copyfile(source, target)
    (published_dir(db) / CURRENT).write_text(name + "\n")
    return target
