"""Memos on themes, documents and passages, in the team store beside the coding decisions.

A memo is Markdown a researcher wrote; it is kept and shown as data (the viewer and the CLI
print it literally), with its author and time. Memos are added, never changed.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from pipeline.errors import FindingsError, TeamStoreError
from pipeline.storage.team import now_text, open_team_store, team_queries


class MemoError(FindingsError):
    """A memo that cannot be written as given (empty, or on nothing)."""


class MemoTarget(StrEnum):
    """What a memo is about."""

    theme = "theme"
    document = "document"
    passage = "passage"


@dataclass(frozen=True)
class Memo:
    """One memo: about what, the text, who wrote it and when."""

    memo_id: int
    target: MemoTarget
    target_id: str
    text: str
    author: str
    written_at: dt.datetime


def _sql(name: str) -> str:
    return team_queries("memos")[name]


def _memo(row: tuple) -> Memo:
    memo_id, target, target_id, text, author, written_at = row
    return Memo(
        memo_id, MemoTarget(target), target_id, text, author, dt.datetime.fromisoformat(written_at)
    )


def add_memo(
    con: sqlite3.Connection, target: MemoTarget, target_id: str, text: str, author: str
) -> Memo:
    """Store a memo and return it.

    Raises:
        MemoError: the text is blank, or the memo is about nothing.
    """
    if not text.strip():
        raise MemoError("a memo needs some text")
    if not str(target_id).strip():
        raise MemoError(f"a memo on a {target.value} needs the {target.value}'s id")
    values = {
        "target_kind": MemoTarget(target).value,
        "target_id": str(target_id),
        "text": text,
        "author": author,
        "written_at": now_text(),
    }
    (memo_id,) = con.execute(_sql("insert_memo"), values).fetchone()
    return _memo((memo_id, *values.values()))


def read_memos(
    con: sqlite3.Connection,
    target: MemoTarget | None = None,
    target_id: str | None = None,
    containing: str | None = None,
) -> list[Memo]:
    """Memos in the order written, on one kind of thing or one thing, holding some text."""
    rows = con.execute(
        _sql("memos"),
        {
            "target_kind": None if target is None else target.value,
            "target_id": target_id,
            "needle": containing or None,
        },
    )
    return [_memo(row) for row in rows]


def save_memo(store: Path, target: MemoTarget, target_id: str, text: str, author: str) -> Memo:
    """Open the team store at `store`, add a memo and close it."""
    try:
        with closing(open_team_store(store)) as con:
            return add_memo(con, target, target_id, text, author)
    except sqlite3.Error as exc:
        raise TeamStoreError(f"{store}: the memo cannot be saved: {exc}") from exc


def load_memos(
    store: Path,
    target: MemoTarget | None = None,
    target_id: str | None = None,
    containing: str | None = None,
) -> list[Memo]:
    """The memos in the team store at `store` (none when there is no store yet)."""
    if not store.exists():
        return []
    try:
        with closing(open_team_store(store)) as con:
            return read_memos(con, target, target_id, containing)
    except sqlite3.Error as exc:
        raise TeamStoreError(f"{store}: memos cannot be read: {exc}") from exc
