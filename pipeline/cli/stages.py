"""What `findings run` shows while it works: one bar per stage, then one line of what it did.

Prefect's own log lines (a temporary server starting, each task "Finished in state
Completed()") and the model's weight-loading bars say nothing a person running Findings needs;
they are kept for `--verbose`.
"""

from __future__ import annotations

import logging
import os
import time

from rich.progress import Progress, TaskID
from rich.text import Text

from pipeline.cli.console import printable, progress

STAGE_NAMES = {
    "ingest": "reading documents",
    "embed": "embedding passages",
    "themes": "finding themes",
    "publish": "publishing",
}


def quiet_libraries() -> None:
    """Hush Prefect's INFO lines and the weight-loading bars (before they are imported)."""
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    for name in list(logging.root.manager.loggerDict):
        if name == "prefect" or name.startswith("prefect."):
            logging.getLogger(name).setLevel(logging.WARNING)


class StageDisplay:
    """A `pipeline.progress` listener drawing rich progress bars on stderr."""

    def __init__(self, bars: Progress) -> None:
        self.bars = bars
        self.tasks: dict[str, TaskID] = {}
        self.started: dict[str, float] = {}

    def begin(self, stage: str, total: int | None, unit: str) -> None:
        """Show a bar for `stage` (a spinner-like bar when the total is unknown)."""
        self.started[stage] = time.monotonic()
        label = STAGE_NAMES.get(stage, stage)
        description = f"{label} ({total} {unit})" if total and unit else label
        self.tasks[stage] = self.bars.add_task(description, total=total or None)

    def advance(self, stage: str, done: int, total: int | None) -> None:
        """Move `stage`'s bar on."""
        if stage in self.tasks:
            self.bars.update(self.tasks[stage], completed=done, total=total)

    def finish(self, stage: str, summary: str) -> None:
        """Replace the bar with one line: the stage, what it did, how long it took."""
        if stage in self.tasks:
            self.bars.remove_task(self.tasks.pop(stage))
        seconds = time.monotonic() - self.started.pop(stage, time.monotonic())
        self.bars.console.print(
            Text.assemble(
                ("✓ ", "green"),
                (f"{stage:<8}", "bold"),
                printable(summary, one_line=True),
                (f"  ({seconds:.0f} s)", "dim"),
            ),
            soft_wrap=False,
        )


def stage_display(*, disable: bool) -> tuple[Progress, StageDisplay]:
    """The bars (a context manager to enter) and the listener that draws on them."""
    bars = progress(disable=disable)
    return bars, StageDisplay(bars)
