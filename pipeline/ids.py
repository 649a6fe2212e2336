"""Content hashes and timestamps: the one place ids and "now" are made, and where old ids lead."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from typing import TypeVar

Value = TypeVar("Value")


def sha256_hex(data: bytes | str) -> str:
    """Hex sha256 of bytes, or of text as UTF-8."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return hashlib.sha256(raw).hexdigest()


def utc_now() -> dt.datetime:
    """The current time in UTC, naive (as DuckDB TIMESTAMP columns hold it)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def carried(by_id: Mapping[str, Value], successors: Mapping[str, str]) -> dict[str, Value]:
    """`by_id` with each retired id's value under its successor's id as well.

    An edited document's unchanged passages get new ids (`passage_successors`): a run's themes
    of the old ones follow them (people's decisions fold in `current_decisions`). A value the
    successor already has of its own is kept.
    """
    moved = {successors[key]: value for key, value in by_id.items() if key in successors}
    return moved | dict(by_id)
