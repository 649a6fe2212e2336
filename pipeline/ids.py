"""Content hashes and timestamps: the one place ids and "now" are made."""

from __future__ import annotations

import datetime as dt
import hashlib


def sha256_hex(data: bytes | str) -> str:
    """Hex sha256 of bytes, or of text as UTF-8."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return hashlib.sha256(raw).hexdigest()


def utc_now() -> dt.datetime:
    """The current time in UTC, naive (as DuckDB TIMESTAMP columns hold it)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)
