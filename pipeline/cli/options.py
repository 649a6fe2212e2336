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
from rich.text import Text

from pipeline.cli.console import err, literal
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


def writes_warehouse(command: Callable[..., Result]) -> Callable[..., Result]:
    """Hold the warehouse's run lock while a command runs (its `db` option names the warehouse).

    Every command that writes the warehouse is declared with this, so a second writer is
    refused at once with one line naming the first, before it opens anything.
    """

    @functools.wraps(command)
    def holding_the_lock(*args: object, **kwargs: object) -> Result:
        from pipeline.storage.publish import run_lock  # not at import: `--help` loads no DuckDB

        db = settings_for(kwargs.get("db")).db  # type: ignore[arg-type]
        with run_lock(db, command=f"findings {command.__name__}"):
            return command(*args, **kwargs)

    return holding_the_lock


def readable_path(settings: Settings, *, prefer_warehouse: bool = False) -> Path:
    """The file a reader opens (see `read_target`); a fallback is noted on stderr in one line."""
    from pipeline.storage.publish import published_dir, read_target

    if not settings.db.exists() and not published_dir(settings.db).is_dir():
        err.print(
            Text.assemble(
                ("no warehouse at ", "red"), literal(settings.db), ": run `findings run` first"
            ),
            soft_wrap=True,
        )
        raise typer.Exit(1)
    target = read_target(settings.db, prefer_warehouse=prefer_warehouse)
    if target.note:
        err.print(Text.assemble(("note: ", "yellow"), target.note), soft_wrap=True)
    return target.path


def open_readable(settings: Settings) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the newest readable snapshot, never a warehouse being written."""
    from pipeline.storage import connect

    return connect(readable_path(settings), read_only=True)


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

    first, after = month(since, "--since", end=False), month(until, "--until", end=True)
    if first and after and first >= after:
        # Else the answer would be silently empty, as if nothing had been reviewed.
        raise typer.BadParameter(f"--since {since} is after --until {until}", param_hint="--since")
    return Filters(
        region=region,
        area=area,
        police_force=force,
        since=first,
        until=after,
        doc_type=doc_type.value if doc_type else None,
    )


def known_places(filters: Filters, db: Path | None) -> Filters:
    """`filters` with each place as the warehouse spells it, whatever case it was typed in.

    A place no locality review has is a usage error that lists what there is: an empty answer
    would read as "nothing raised there".
    """
    from dataclasses import replace

    asked = [
        (level, option, value)
        for level, option, value in (
            ("region", "--region", filters.region),
            ("area", "--area", filters.area),
            ("police_force", "--force", filters.police_force),
        )
        if value is not None
    ]
    from pipeline.storage.publish import published_dir

    settings = settings_for(db)
    if not asked or not (settings.db.exists() or published_dir(settings.db).is_dir()):
        return filters  # nothing to check, or no warehouse: the command says so itself
    from pipeline.queries import filter_options as options_in

    with open_readable(settings) as con:
        options = options_in(con)
    known = {"region": options.regions, "area": options.areas, "police_force": options.forces}
    named = {}
    for level, option, value in asked:
        typed = " ".join(value.split()).casefold()
        match = next((name for name in known[level] if name.casefold() == typed), None)
        if match is None:
            listed = ", ".join(known[level]) or "none"
            raise typer.BadParameter(
                f"no locality review has {value!r} (national documents have no place of their "
                f"own); there are: {listed}",
                param_hint=option,
            )
        named[level] = match
    return replace(filters, **named)


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
        filters = known_places(filters_from(**values), kwargs.get("db"))  # type: ignore[arg-type]
        return command(*args, filters=filters, **kwargs)  # type: ignore[arg-type]

    with_filters.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
    with_filters.__annotations__ = {p.name: p.annotation for p in parameters} | {
        "return": signature.return_annotation
    }
    return with_filters
