"""The inbox watcher: `findings watch`, and the thread `findings serve` runs beside its schedule.

It only announces: each settled batch of new or changed files becomes one
`findings.review.arrived` event, and the refresh deployment's trigger decides to run. So the
watcher needs nothing but a Prefect API (PREFECT_API_URL), and can sit beside a Prefect worker
on the machine that holds the inbox.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from pipeline.cli.console import err, literal

if TYPE_CHECKING:  # the watcher's module reads metadata (and spaCy): loaded when it runs
    from pipeline.ingest.arrivals import Batch

QuietOption = Annotated[
    float,
    typer.Option(
        min=0.5, help="Seconds the inbox must stay unchanged before a batch is announced."
    ),
]


def announcer(inbox: Path) -> Callable[[Batch], None]:
    """What to do with a settled batch: one event, and one line on the terminal."""
    from pipeline.flows import announce_arrivals

    def announce(batch: Batch) -> None:
        announce_arrivals(str(inbox), list(batch.files), batch.waited_s)
        count = len(batch.files)
        err.print(
            literal(
                f"{count} file{'s' if count != 1 else ''} settled in {inbox}: refresh requested"
            ),
            soft_wrap=True,
        )

    return announce


def start_watching(inbox: Path, quiet_s: float) -> threading.Event:
    """Watch `inbox` in a background thread; set the returned event to stop it."""
    from pipeline.ingest.arrivals import Arrivals, watch_inbox

    stop = threading.Event()
    thread = threading.Thread(
        target=watch_inbox,
        args=(inbox, announcer(inbox), stop),
        kwargs={"rule": Arrivals(quiet_s=quiet_s), "poll_s": min(2.0, quiet_s / 2)},
        name="findings-inbox-watcher",
        daemon=True,
    )
    thread.start()
    return stop


def watch(
    inbox: Annotated[str, typer.Option(help="Folder where new reviews arrive.")] = "corpus/inbox",
    quiet_s: QuietOption = 10.0,
) -> None:
    """Announce new reviews in the inbox to Prefect (needs PREFECT_API_URL); Ctrl-C stops.

    Each settled batch of files is one `findings.review.arrived` event: one refresh.
    """
    import os

    if not os.environ.get("PREFECT_API_URL"):
        raise typer.BadParameter(
            "set PREFECT_API_URL to the Prefect server that runs the refresh deployment "
            "(or use `findings serve`, which starts one)"
        )
    from pipeline.ingest.arrivals import Arrivals, watch_inbox

    folder = Path(inbox)
    err.print(literal(f"watching {folder} for new reviews; Ctrl-C stops"), soft_wrap=True)
    stop = threading.Event()
    try:
        watch_inbox(folder, announcer(folder), stop, rule=Arrivals(quiet_s=quiet_s))
    except KeyboardInterrupt:
        stop.set()
