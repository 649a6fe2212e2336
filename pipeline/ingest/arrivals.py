"""New reviews landing in the inbox, gathered into batches: one batch, one refresh.

People copy a locality review's files in one by one (a transcript, notes, the report, a corrected
manifest), and a large .docx takes seconds to copy. A refresh per file would refit themes four
times over half-written files; so the inbox is watched for a quiet spell. Files that appeared or
changed are held until nothing has changed for `quiet_s` seconds (every file's size and
modification time steady), then announced together. A steady trickle cannot hold a batch back
forever: after `longest_wait_s` it is announced anyway, and what arrives later makes the next.

`Arrivals` is the pure rule (observations in, batches out, time passed in); `watch_inbox` is the
file-system loop around it.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.ingest.files import is_metadata_file, supported_suffixes

# Editors and copy tools write under names like these before the real name appears.
_PARTIAL_SUFFIXES = (".part", ".tmp", ".crdownload", ".download", ".swp")


@dataclass(frozen=True)
class FileState:
    """What the watcher can see of a file without reading it."""

    size: int
    modified_ns: int


@dataclass(frozen=True)
class Batch:
    """Files that arrived or changed together, ready for one refresh."""

    files: tuple[str, ...]
    waited_s: float


@dataclass
class Arrivals:
    """The debounce rule: what changed since the last batch, released after a quiet spell."""

    quiet_s: float = 10.0
    longest_wait_s: float = 120.0
    announced: dict[str, FileState] = field(default_factory=dict)
    _pending: dict[str, FileState] = field(default_factory=dict)
    _first_change: float | None = None
    _last_change: float | None = None

    def baseline(self, files: Mapping[str, FileState]) -> None:
        """Treat what is already in the inbox as seen (the nightly run picks it up)."""
        self.announced = dict(files)

    def observe(self, files: Mapping[str, FileState], now: float) -> Batch | None:
        """Record what the inbox holds at `now`; a batch once changes have settled."""
        # A file taken out of the inbox and put back later is news again.
        for name in set(self.announced) - set(files):
            del self.announced[name]
        changed = {
            name: state for name, state in files.items() if self.announced.get(name) != state
        }
        if changed != self._pending:
            if changed and self._first_change is None:
                self._first_change = now
            self._pending = changed
            self._last_change = now if changed else None
            if not changed:
                self._first_change = None
        if not self._pending or self._last_change is None or self._first_change is None:
            return None
        settled = now - self._last_change >= self.quiet_s
        overdue = now - self._first_change >= self.longest_wait_s
        if not (settled or overdue):
            return None
        batch = Batch(files=tuple(sorted(self._pending)), waited_s=now - self._first_change)
        self.announced.update(self._pending)
        self._pending, self._first_change, self._last_change = {}, None, None
        return batch


def is_arrival(path: Path) -> bool:
    """Whether a file in the inbox is a document or metadata a refresh would read."""
    name = path.name
    if name.startswith((".", "~$")) or name.endswith(_PARTIAL_SUFFIXES):
        return False
    return is_metadata_file(path) or path.suffix.lower() in supported_suffixes()


def inbox_files(inbox: Path) -> dict[str, FileState]:
    """Every document and metadata file under `inbox`, by path relative to it."""
    found: dict[str, FileState] = {}
    if not inbox.is_dir():
        return found
    for folder, subfolders, names in os.walk(inbox):
        subfolders[:] = [name for name in subfolders if not name.startswith(".")]
        for name in names:
            path = Path(folder, name)
            if not is_arrival(path):
                continue
            try:
                stat = path.stat()
            except OSError:  # gone between listing and looking: the next look settles it
                continue
            found[path.relative_to(inbox).as_posix()] = FileState(stat.st_size, stat.st_mtime_ns)
    return found


def watch_inbox(
    inbox: Path,
    announce: Callable[[Batch], None],
    stop: threading.Event,
    *,
    rule: Arrivals | None = None,
    poll_s: float = 2.0,
    clock: Callable[[], float] | None = None,
    ready: threading.Event | None = None,
) -> None:
    """Look at `inbox` every `poll_s` seconds until `stop` is set; `announce` each batch.

    What is in the inbox at the first look is taken as seen; `ready` is set once it is taken.
    """
    import time

    rule = rule or Arrivals()
    clock = clock or time.monotonic
    rule.baseline(inbox_files(inbox))
    if ready is not None:
        ready.set()
    while not stop.wait(poll_s):
        if batch := rule.observe(inbox_files(inbox), clock()):
            announce(batch)
