"""Where the CLI writes: stdout for answers, stderr for progress and errors; tables of frames.

Text from outside Findings (document text, titles, file names, error reasons, a search query)
is data. It reaches the terminal only through `literal`: never parsed as console markup (a
quote holding `[/]` or `[bold]` prints as written), and with terminal control sequences taken
out, so a document cannot recolour, retitle or repaint the user's terminal.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Column, Table
from rich.text import Text

if TYPE_CHECKING:
    import pandas as pd

out = Console()
err = Console(stderr=True)


@dataclass
class Edge:
    """How this invocation reports errors (set from the global options)."""

    debug: bool = False


edge = Edge()

# ECMA-48 sequences a terminal acts on: CSI (colours, cursor moves, clearing the screen), OSC
# (window titles, hyperlinks, clipboard writes) and the other string and two-character escapes.
# Removed whole, so that their parameters do not linger as stray text.
_ESCAPE_SEQUENCE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]?"
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"
    r"|\x1b[ -/]*[0-~]?"
)
# C0 controls but tab and newline (a carriage return rewrites the line it ends), DEL, and the
# C1 controls (0x9b is a one-byte CSI on some terminals).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Lone surrogates (a file name that is not UTF-8) cannot be written to a UTF-8 terminal at all.
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_LINE_BREAK = re.compile(r"[\n\u2028\u2029]")


def printable(text: str, *, one_line: bool = False) -> str:
    """`text` without what a terminal would act on; line breaks become spaces with `one_line`."""
    text = _CONTROL.sub("", _ESCAPE_SEQUENCE.sub("", text))
    text = _SURROGATE.sub("\ufffd", text)
    return _LINE_BREAK.sub(" ", text) if one_line else text


def literal(value: object, style: str = "", *, one_line: bool = False) -> Text:
    """Untrusted text as rich `Text`: shown exactly as written, less terminal controls."""
    return Text(printable(str(value), one_line=one_line), style=style)


class TerminalLog(logging.Filter):
    """Log records as the terminal may show them.

    Messages lose terminal controls (they name files and quote documents). Without --debug a
    record loses its traceback, and Prefect's reports of a failed task or flow are left out:
    the command's error edge prints the error itself, in one line.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Clean `record` for the terminal; False to leave it out."""
        if not edge.debug:
            if record.levelno >= logging.ERROR and record.name.startswith(
                ("prefect.flow_runs", "prefect.task_runs")
            ):
                return False
            record.exc_info, record.exc_text, record.stack_info = None, None, None
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # arguments that do not fit: logging reports those
            return True
        record.msg, record.args = printable(message), None
        return True


def guard_logs() -> None:
    """Put `TerminalLog` on every handler of the root logger (Prefect replaces them on import)."""
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, TerminalLog) for f in handler.filters):
            handler.addFilter(TerminalLog())


def progress(*, disable: bool) -> Progress:
    """A transient progress bar on stderr (off for --json, so stdout stays JSON).

    Descriptions are plain text (they name files), never markup.
    """
    return Progress(
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=disable,
    )


def print_json(text: str) -> None:
    """JSON text on stdout, every character past ASCII escaped (controls, lone surrogates)."""
    out.print_json(text, ensure_ascii=True)


def emit(frame: pd.DataFrame, as_json: bool, title: str, columns: list[str] | None = None) -> None:
    """Print a query's answer: JSON records, or a table of `columns` (default: all)."""
    if as_json:
        print_json(frame.to_json(orient="records", date_format="iso", default_handler=str))
        return
    shown = frame[columns] if columns else frame
    headers = [Column(header=literal(c)) for c in shown.columns]
    table = Table(*headers, title=literal(title, one_line=True))
    for row in shown.itertuples(index=False):
        table.add_row(*[cell(v) for v in row])
    out.print(table)


def cell(value: object) -> Text:
    """A value as table text: a dash when missing, dates as dates, text through `literal`."""
    import pandas as pd  # here, not at the top: `findings --help` stays fast

    if value is None or (not isinstance(value, list | tuple | dict) and pd.isna(value)):
        return Text("—")
    if isinstance(value, dt.datetime | pd.Timestamp) and value == value.normalize():
        return Text(value.date().isoformat())
    if isinstance(value, float):
        return Text(f"{value:.3f}")
    return literal(value)
