from __future__ import annotations

import datetime as dt

import pytest
import typer

from pipeline.cli.options import DocType, filters_from, month
from tests.cli.commands import command_tree, options_of

FILTERS = ["--region", "--area", "--force", "--since", "--until", "--type"]


def filtering_commands() -> dict[str, list[str]]:
    """Commands that take --region, with their options in help order."""
    # ingest's --area and --type describe files, not filters, and it has no --region
    return {
        name: options
        for name, command in command_tree().items()
        if "--region" in (options := options_of(command))
    }


def test_commands_that_filter_take_every_filter_right_after_db() -> None:
    filtering = filtering_commands()
    assert set(filtering) == {
        "search", "query themes", "query quotes", "query trends", "query matrix",
        "export qdpx", "export csv", "export parquet", "export report",
    }  # fmt: skip
    for name, options in filtering.items():
        at = options.index("--db") + 1
        assert options[at : at + len(FILTERS)] == FILTERS, name


def test_every_command_that_reads_the_warehouse_takes_db() -> None:
    for name, command in command_tree().items():
        if hasattr(command, "commands") or name in ("serve",):
            continue
        assert "--db" in options_of(command), name


@pytest.mark.parametrize(
    ("since", "until", "bounds"),
    [
        (None, None, (None, None)),
        ("2018-01", "2018-01", (dt.date(2018, 1, 1), dt.date(2018, 2, 1))),
        ("2018-12", "2018-12", (dt.date(2018, 12, 1), dt.date(2019, 1, 1))),
    ],
)
def test_until_takes_in_its_whole_month(
    since: str | None, until: str | None, bounds: tuple[dt.date | None, dt.date | None]
) -> None:
    filters = filters_from(since=since, until=until)
    assert (filters.since, filters.until) == bounds


@pytest.mark.parametrize("value", ["2019-13", "2019-00", "2019-1", "March 2019", "2019-03-01"])
def test_a_month_that_is_not_yyyy_mm_is_a_usage_error(value: str) -> None:
    with pytest.raises(typer.BadParameter):
        month(value, "--since", end=False)


def test_filters_name_the_query_layer_fields() -> None:
    filters = filters_from("Wales", "Cardiff", "South Wales Police", doc_type=DocType.focus_group)
    assert (filters.region, filters.area, filters.police_force, filters.doc_type) == (
        "Wales", "Cardiff", "South Wales Police", "focus_group",
    )  # fmt: skip
