"""Options shared by many commands, declared once: --db, --json and the six review filters.

The filters are added to a command by `filter_options` (the pattern of sqlite-utils'
`output_options` decorator): the command takes one `filters: Filters` parameter, and its
`findings` signature gets --region, --area, --force, --since, --until and --type in that place.
"""

from __future__ import annotations

import datetime as dt
import functools
import inspect
import re
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from pipeline.cli.console import err
from pipeline.settings import Settings

if TYPE_CHECKING:
    import duckdb

    from pipeline.queries import Filters

Result = TypeVar("Result")

DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db", help="DuckDB warehouse file (default data/findings.duckdb or $FINDINGS_DB)."
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]


class Scope(StrEnum):
    """Whether a document is a locality review or a national (or thematic) report."""

    local = "local"
    national = "national"


class DocType(StrEnum):
    """Document types a review leaves behind."""

    report = "report"
    transcript = "transcript"
    focus_group = "focus_group"
    notes = "notes"


RegionOption = Annotated[str | None, typer.Option(help="Only reviews in this region.")]
AreaOption = Annotated[str | None, typer.Option(help="Only reviews of this local authority.")]
ForceOption = Annotated[str | None, typer.Option(help="Only reviews in this police force area.")]
SinceOption = Annotated[str | None, typer.Option(help="Reviews from this month on (YYYY-MM).")]
UntilOption = Annotated[str | None, typer.Option(help="Reviews up to this month (YYYY-MM).")]
TypeOption = Annotated[DocType | None, typer.Option("--type", help="Only this document type.")]

FILTER_PARAMETERS = tuple(
    inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=annotation)
    for name, annotation in (
        ("region", RegionOption),
        ("area", AreaOption),
        ("force", ForceOption),
        ("since", SinceOption),
        ("until", UntilOption),
        ("doc_type", TypeOption),
    )
)


def settings_for(db: Path | None) -> Settings:
    """The settings, with the warehouse from --db when given."""
    settings = Settings()
    return settings.model_copy(update={"db": db}) if db else settings


def open_readable(settings: Settings) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the published snapshot (else the warehouse itself)."""
    from pipeline.storage import connect
    from pipeline.storage.publish import readable_database

    if not settings.db.exists():
        err.print(f"[red]no warehouse at {settings.db}: run `findings run` first")
        raise typer.Exit(1)
    return connect(readable_database(settings.db), read_only=True)


def month(value: str | None, name: str, *, end: bool) -> dt.date | None:
    """The first day of a YYYY-MM month; with `end`, of the month after (an exclusive bound)."""
    if value is None:
        return None
    if not re.fullmatch(r"\d{4}-\d{2}", value):
        raise typer.BadParameter("use YYYY-MM", param_hint=name)
    year, month_ = int(value[:4]), int(value[5:])
    if not 1 <= month_ <= 12:
        raise typer.BadParameter(f"{value} has no month {month_}", param_hint=name)
    if end:  # --until is inclusive of its month; the query bound is exclusive
        year, month_ = (year + 1, 1) if month_ == 12 else (year, month_ + 1)
    return dt.date(year, month_, 1)


def filters_from(
    region: str | None = None,
    area: str | None = None,
    force: str | None = None,
    since: str | None = None,
    until: str | None = None,
    doc_type: DocType | None = None,
) -> Filters:
    """The query layer's `Filters` from the six options' values (bad months: usage errors)."""
    from pipeline.queries import Filters

    return Filters(
        region=region,
        area=area,
        police_force=force,
        since=month(since, "--since", end=False),
        until=month(until, "--until", end=True),
        doc_type=doc_type.value if doc_type else None,
    )


def filter_options(command: Callable[..., Result]) -> Callable[..., Result]:
    """Give a command the six filter options in place of its `filters: Filters` parameter."""
    # `Filters` stands for itself only when a command runs: importing the query layer (pandas)
    # to read a signature would slow `findings --help`.
    signature = inspect.signature(command, eval_str=True, locals={"Filters": object})
    parameters = list(signature.parameters.values())
    at = [parameter.name for parameter in parameters].index("filters")
    parameters[at : at + 1] = FILTER_PARAMETERS

    @functools.wraps(command)
    def with_filters(*args: object, **kwargs: object) -> Result:
        values = {parameter.name: kwargs.pop(parameter.name) for parameter in FILTER_PARAMETERS}
        return command(*args, filters=filters_from(**values), **kwargs)  # type: ignore[arg-type]

    with_filters.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
    with_filters.__annotations__ = {p.name: p.annotation for p in parameters} | {
        "return": signature.return_annotation
    }
    return with_filters
