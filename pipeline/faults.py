"""Named crash points for the crash-safety tests: a real SIGKILL at a precise moment.

Set FINDINGS_CRASH_AT=<point> and the process kills itself with SIGKILL when it reaches that
point; unset (always, in normal use) it costs one environment lookup.
"""

from __future__ import annotations

import os
import signal

CRASH_POINTS = (
    "ingest:mid-document",  # a document row written, its passages not, transaction open
    "ingest:after-first-document",
    "ingest:mid-replace",  # an old version's passages and row deleted, the new one not written
    "embed:after-first-batch",
    "themes:before-commit",  # assignments written, transaction open
    "publish:before-pointer",  # snapshot copied, `current` not yet repointed
)


def crash_point(name: str) -> None:
    """Die here, as a kill -9 would, when FINDINGS_CRASH_AT names this point."""
    if os.environ.get("FINDINGS_CRASH_AT") == name:
        os.kill(os.getpid(), signal.SIGKILL)
