"""The filter vocabulary: how Filters bind to SQL, read in words, and name levels and periods."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import fields
from importlib import resources

import pytest

from pipeline.queries.filters import (
    NO_FILTERS,
    Filters,
    filter_options,
    level_column,
    period_label,
)
from pipeline.storage import named_queries

MACRO_CALL = re.compile(r"filtered_documents\(([^)]*)\)")


def filtered_statements() -> list[tuple[str, str, str]]:
    folder = resources.files("pipeline.storage").joinpath("sql")
    return [
        (entry.name, name, call)
        for entry in folder.iterdir()
        for name, statement in named_queries(entry.name.removesuffix(".sql")).items()
        for call in MACRO_CALL.findall(statement)
    ]


def test_every_filtered_statement_binds_exactly_the_filters_by_name() -> None:
    expected = [f"${field.name}" for field in fields(Filters)]
    calls = filtered_statements()
    assert calls, "no statement calls the filtered_documents macro"
    for file, name, call in calls:
        assert [arg.strip() for arg in call.split(",")] == expected, (file, name)


def test_params_are_the_fields_by_name() -> None:
    filters = Filters(region="London", police_force="Kent", since=dt.date(2018, 1, 1))
    assert filters.params() == {
        "region": "London",
        "area": None,
        "police_force": "Kent",
        "since": dt.date(2018, 1, 1),
        "until": None,
        "doc_type": None,
    }


def test_the_default_filters_restrict_nothing() -> None:
    assert Filters() == NO_FILTERS
    assert all(value is None for value in NO_FILTERS.params().values())


@pytest.mark.parametrize(
    ("filters", "words"),
    [
        (Filters(), "all reviews"),
        (Filters(area="Croydon", region="London"), "Croydon, London"),
        (Filters(police_force="Kent"), "Kent police"),
        (Filters(doc_type="transcript"), "interview transcripts"),
        (Filters(doc_type="minutes"), "minutes"),
        (
            Filters(since=dt.date(2018, 1, 1), until=dt.date(2020, 1, 1)),
            "from Jan 2018, to Dec 2019",
        ),
    ],
)
def test_describe_reads_the_filters_in_words(filters: Filters, words: str) -> None:
    assert filters.describe() == words


def test_without_place_keeps_dates_and_type_only() -> None:
    filters = Filters("London", "Croydon", "Kent", dt.date(2018, 1, 1), None, "notes")
    assert filters.without_place() == Filters(since=dt.date(2018, 1, 1), doc_type="notes")


@pytest.mark.parametrize(
    ("level", "column"),
    [
        ("force", "police_force"),
        ("police_force", "police_force"),
        ("area", "area"),
        ("region", "region"),
        ("nation", "nation"),
        ("national", "national"),
    ],
)
def test_level_column_reads_the_cli_spelling_force_as_police_force(level: str, column: str) -> None:
    assert level_column(level) == column


@pytest.mark.parametrize(
    ("date", "period", "label"),
    [
        (dt.date(2019, 7, 4), "year", "2019"),
        (dt.date(2019, 7, 4), "quarter", "2019-Q3"),
        (dt.date(2019, 1, 1), "quarter", "2019-Q1"),
        (dt.date(2019, 12, 31), "quarter", "2019-Q4"),
        (dt.date(2019, 7, 4), "month", "2019-07"),
    ],
)
def test_period_label(date: dt.date, period: str, label: str) -> None:
    assert period_label(date, period) == label  # type: ignore[arg-type]


def test_a_list_no_document_fills_is_empty_not_none(warehouse) -> None:
    options = filter_options(warehouse)
    assert (options.regions, options.areas, options.forces, options.doc_types) == ([], [], [], [])
