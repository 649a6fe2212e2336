"""The `findings` Typer app: its global options, its sub-apps, and where errors become text.

Every command is registered here through `command`, which is the CLI's one edge for errors: a
Findings error (or a file-system error) becomes its one-line message and exit status 1, and an
unexpected error a one-line report; `--debug` re-raises instead, traceback and all.
"""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Callable
from typing import Annotated, TypeVar

import typer
from rich.logging import RichHandler

from pipeline.cli import ask, build, coding, exchange, team, validate, watch
from pipeline.cli.console import edge, err, guard_logs, literal
from pipeline.errors import FindingsError, NotEnoughPassagesError

Result = TypeVar("Result")

app = typer.Typer(
    help="Findings: qualitative evidence synthesis for locality reviews.",
    no_args_is_help=True,
    add_completion=False,
)
query_app = typer.Typer(
    help="Ask the warehouse: themes, quotes, trends, a place against the rest, framework matrix."
)
export_app = typer.Typer(help="Export findings: REFI-QDA for QDA tools, tables, a drafted report.")
import_app = typer.Typer(
    help="Bring work done elsewhere back in (a codebook, or codings, from a QDA tool)."
)
codebook_app = typer.Typer(help="Shape the codebook: split a theme into its sub-themes.")
memo_app = typer.Typer(help="Memos on themes, documents and passages: write, list, search.")
validate_app = typer.Typer(
    help="Check the machine's coding against people's: a blind sample, answers, agreement."
)


@app.callback()
def main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log progress details.")] = False,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show the full traceback when a command fails.")
    ] = False,
) -> None:
    """Findings: ingest locality reviews and synthesise what they say."""
    edge.debug = debug
    edge.verbose = verbose
    logging.basicConfig(
        level=logging.WARNING,
        format="%(message)s",
        handlers=[RichHandler(console=err, show_path=False, show_time=False)],
    )
    guard_logs()
    logging.getLogger("pipeline").setLevel(logging.INFO if verbose else logging.WARNING)


def is_warehouse_file_error(exc: Exception) -> bool:
    """Whether DuckDB could not open or read a file (not a database, locked, a folder...)."""
    # DuckDB is imported by the commands that use it; an error from it means it is loaded.
    duckdb = sys.modules.get("duckdb")
    return duckdb is not None and isinstance(exc, duckdb.IOException)


def settings_message(exc: Exception) -> str | None:
    """What is wrong with a FINDINGS_* setting, if `exc` is pydantic's refusal of one."""
    pydantic = sys.modules.get("pydantic")
    if pydantic is None or not isinstance(exc, pydantic.ValidationError):
        return None
    problems = [
        f"FINDINGS_{'_'.join(str(part) for part in error['loc']).upper()}: {error['msg']} "
        f"(got {error['input']!r})"
        for error in exc.errors()
    ]
    return "bad setting " + "; ".join(problems)


def message_for(exc: Exception) -> str:
    """The one line a user sees for an error that reached the command line."""
    if isinstance(exc, NotEnoughPassagesError):
        message = f"{exc}: run `findings embed` first"
    elif isinstance(exc, FindingsError | OSError) or is_warehouse_file_error(exc):
        message = str(exc)
    else:
        message = settings_message(exc) or (
            f"unexpected error: {type(exc).__name__}: {exc} (`findings --debug ...` shows where)"
        )
    # Reasons quoted from parsers (YAML, XML) span lines; the user gets one.
    return " ".join(message.split())


def one_line_errors(command: Callable[..., Result]) -> Callable[..., Result]:
    """Run a command, turning its errors into a one-line message and exit status 1."""

    @functools.wraps(command)
    def run_command(*args: object, **kwargs: object) -> Result:
        try:
            return command(*args, **kwargs)
        except (typer.TyperException, typer.Exit, typer.Abort):
            raise  # usage errors and exits already say what they mean
        except Exception as exc:  # the edge: every error becomes a message
            if edge.debug:
                raise
            err.print(literal(message_for(exc), style="red"), soft_wrap=True)
            raise typer.Exit(1) from exc

    return run_command


def command(group: typer.Typer, name: str, function: Callable[..., object]) -> None:
    """Register `function` as `name` in `group`, behind the error edge."""
    group.command(name)(one_line_errors(function))


for name, function in (
    ("ingest", build.ingest),
    ("status", build.status),
    ("withdraw", build.withdraw),
    ("embed", build.embed),
    ("themes", build.themes),
    ("run", build.run),
    ("search", ask.search),
    ("show", ask.show),
    ("serve", build.serve),
    ("viewer", team.viewer),
    ("audit", team.audit),
    ("watch", watch.watch),
    ("code", coding.code),
):
    command(app, name, function)

app.add_typer(query_app, name="query")
for name, function in (
    ("themes", ask.query_themes),
    ("quotes", ask.query_quotes),
    ("trends", ask.query_trends),
    ("compare", ask.query_compare),
    ("matrix", ask.query_matrix),
):
    command(query_app, name, function)

app.add_typer(export_app, name="export")
for name, function in (
    ("qdpx", exchange.export_qdpx),
    ("codebook", exchange.export_codebook),
    ("csv", exchange.export_csv),
    ("parquet", exchange.export_parquet),
    ("report", exchange.export_report),
):
    command(export_app, name, function)

app.add_typer(import_app, name="import")
command(import_app, "codebook", exchange.import_codebook)
command(import_app, "codings", exchange.import_codings)

app.add_typer(validate_app, name="validate")
for name, function in (
    ("sample", validate.sample),
    ("export", validate.export),
    ("import", validate.import_answers),
    ("report", validate.report),
):
    command(validate_app, name, function)

app.add_typer(memo_app, name="memo")
for name, function in (
    ("add", coding.memo_add),
    ("list", coding.memo_list),
    ("search", coding.memo_search),
):
    command(memo_app, name, function)

app.add_typer(codebook_app, name="codebook")
command(codebook_app, "split", coding.codebook_split)
