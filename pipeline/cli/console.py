"""Where the CLI writes: stdout for answers, stderr for progress and errors; tables of frames."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    import pandas as pd

out = Console()
err = Console(stderr=True)


def progress(*, disable: bool) -> Progress:
    """A transient progress bar on stderr (off for --json, so stdout stays JSON)."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=disable,
    )


def emit(frame: pd.DataFrame, as_json: bool, title: str, columns: list[str] | None = None) -> None:
    """Print a query's answer: JSON records, or a table of `columns` (default: all)."""
    if as_json:
        out.print_json(frame.to_json(orient="records", date_format="iso", default_handler=str))
        return
    shown = frame[columns] if columns else frame
    table = Table(*[str(c) for c in shown.columns], title=title)
    for row in shown.itertuples(index=False):
        table.add_row(*[cell(v) for v in row])
    out.print(table)


def cell(value: object) -> Text:
    """A value as table text: a dash when missing, dates as dates, never console markup.

    Document text is data: wrapping it in `Text` keeps `[bold]` or `[/]` in a quote literal.
    """
    import pandas as pd  # here, not at the top: `findings --help` stays fast

    if value is None or (not isinstance(value, list | tuple | dict) and pd.isna(value)):
        return Text("—")
    if isinstance(value, dt.datetime | pd.Timestamp) and value == value.normalize():
        return Text(value.date().isoformat())
    if isinstance(value, float):
        return Text(f"{value:.3f}")
    return Text(str(value))
