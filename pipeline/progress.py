"""Where long stages report how far they have got, whoever is listening.

Stages already take callbacks (`on_file`, `on_batch`); a flow cannot take a callable as a
parameter (deployments serialise parameters), so the flows look up the listener here. The CLI
installs a progress display for `findings run`; everywhere else (scheduled runs, tests) nothing
listens and reports cost nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol


class StageProgress(Protocol):
    """What a listener hears: a stage begins (with a total, if known), then moves on."""

    def begin(self, stage: str, total: int | None, unit: str) -> None:
        """A stage starts; `total` of `unit` (files, texts) when known."""

    def advance(self, stage: str, done: int, total: int | None) -> None:
        """`done` of `total` are finished."""

    def finish(self, stage: str, summary: str) -> None:
        """The stage ended; `summary` says what it did, in a few words."""


class _Nobody:
    def begin(self, stage: str, total: int | None, unit: str) -> None:
        pass

    def advance(self, stage: str, done: int, total: int | None) -> None:
        pass

    def finish(self, stage: str, summary: str) -> None:
        pass


_listener: StageProgress = _Nobody()


def listener() -> StageProgress:
    """Whoever listens now (a listener that ignores everything when nobody does)."""
    return _listener


@contextmanager
def reporting_to(new: StageProgress) -> Iterator[StageProgress]:
    """Send stage progress to `new` for the duration of the block."""
    global _listener
    previous, _listener = _listener, new
    try:
        yield new
    finally:
        _listener = previous
