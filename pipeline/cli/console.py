"""Where the CLI writes: stdout for answers, stderr for progress and errors; tables of frames.

Text from outside Findings (document text, titles, file names, error reasons, a search query)
is data. It reaches the terminal only through `literal`: never parsed as console markup (a
quote holding `[/]` or `[bold]` prints as written), and with terminal control sequences taken
out, so a document cannot recolour, retitle or repaint the user's terminal.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich import box
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Column, Table
from rich.text import Text

if TYPE_CHECKING:
    import pandas as pd

TITLE_CHARACTERS = 120  # a table's title at most: a search for a pasted page names its start
out = Console()
err = Console(stderr=True)


@dataclass
class Edge:
    """How this invocation reports errors (set from the global options)."""

    debug: bool = False
    verbose: bool = False


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


@dataclass(frozen=True)
class Shown:
    """One column of a printed table: its header and how a row's value is written.

    `wrap` is for prose (quotes, titles, labels), which may take several lines; everything else
    (numbers, k/n, statuses, dates) stays on one line, so that a narrow terminal wraps the prose
    instead of cutting a number or a word to "stat…".
    """

    header: str
    value: Callable[[Mapping[str, object]], object]
    wrap: bool = False
    ratio: int | None = None


def column(name: str, header: str | None = None, *, wrap: bool = False) -> Shown:
    """A table column that shows a frame column as it is (through `cell`)."""
    return Shown(header or name, lambda row: row[name], wrap=wrap)


def table_of(rows: Sequence[Mapping[str, object]], title: str, shown: Sequence[Shown]) -> Table:
    """A table that reads at 80 columns: no vertical rules, prose wraps, the rest never does.

    Rows that take several lines (quotes) are ruled apart, so that one does not run into the next.
    """
    headers = [
        Column(
            header=literal(spec.header),
            no_wrap=not spec.wrap,
            overflow="fold" if spec.wrap else "ellipsis",
            ratio=spec.ratio,
        )
        for spec in shown
    ]
    # Rules only under the header, one space between columns: the room goes to the prose.
    table = Table(
        *headers,
        title=literal(title, one_line=True),
        box=box.SIMPLE_HEAD,
        show_edge=False,
        padding=(0, 1, 0, 0),
        show_lines=any(spec.ratio is not None for spec in shown),
    )
    for row in rows:
        table.add_row(*[cell(spec.value(row)) for spec in shown])
    return table


def json_ready(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with its date columns as dates ('2019-06-11'), not midnights, for JSON."""
    import pandas as pd

    dated = {}
    for name in frame.columns:
        values = frame[name]
        if pd.api.types.is_datetime64_any_dtype(values):
            present = values.dropna()
            if (present == present.dt.normalize()).all():
                dated[name] = values.dt.strftime("%Y-%m-%d").astype(object).where(values.notna())
    return frame.assign(**dated) if dated else frame


def emit(
    frame: pd.DataFrame,
    as_json: bool,
    title: str,
    columns: Sequence[str | Shown] | None = None,
) -> None:
    """Print a query's answer: JSON records, or a table of `columns` (default: all).

    A column named by a string shows that frame column as it is; a `Shown` says how.
    """
    if as_json:
        # 15 decimals (pandas' most), not its 10: a p-value of 1e-12 is not 0.
        text = json_ready(frame).to_json(
            orient="records", date_format="iso", double_precision=15, default_handler=str
        )
        print_json(text)
        return
    if frame.empty:
        # A header over no rows, its title squeezed into one column, read as a broken table.
        out.print(literal(f"{shortened(title)}: nothing found", one_line=True), soft_wrap=True)
        return
    shown = [
        spec if isinstance(spec, Shown) else column(spec, wrap=frame[spec].dtype == object)
        for spec in (columns if columns is not None else list(frame.columns))
    ]
    out.print(table_of(frame.to_dict("records"), shortened(title), shown))


def shortened(title: str, longest: int = TITLE_CHARACTERS) -> str:
    """A title cut to `longest` characters ("…" at the end): a pasted page is no title."""
    return title if len(title) <= longest else title[: longest - 1].rstrip() + "…"


def share(raising: object, out_of: object) -> str:
    """'17/24': reviews raising something out of the reviews looked at."""
    return f"{int(raising)}/{int(out_of)}"  # type: ignore[call-overload]


def percent(value: float) -> str:
    """A share as a whole percentage ('71%')."""
    return f"{100 * value:.0f}%"


def percent_interval(value: object, low: object, high: object) -> str:
    """'71% (51–85)': a share and its 95% interval, in whole percentages."""
    return f"{percent(float(value))} ({100 * float(low):.0f}–{100 * float(high):.0f})"  # type: ignore[arg-type]


def p_value(value: object) -> str:
    """A p-value to two significant figures, or '<0.001'."""
    number = float(value)  # type: ignore[arg-type]
    return "<0.001" if number < 0.001 else f"{number:.2g}"


def lift(value: object) -> str:
    """'2.6×' (how many times as common here as elsewhere); '∞' where it is nowhere else."""
    number = float(value)  # type: ignore[arg-type]
    return "∞" if math.isinf(number) else f"{number:.1f}×"


def theme_name(label: object, theme_id: object) -> str:
    """A theme as the CLI names it: 'Fake Xanax bars #2' (its id where it has no label)."""
    number = int(theme_id)  # type: ignore[call-overload]
    if label is None or (isinstance(label, float) and math.isnan(label)):
        return f"#{number}"
    return f"{label} #{number}"


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
