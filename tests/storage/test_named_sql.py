from __future__ import annotations

from importlib import resources

import pytest

from pipeline.storage import named_queries
from pipeline.storage.named_sql import parse_named_sql


def test_parse_named_sql_splits_blocks() -> None:
    sql = "-- name: one\nSELECT 1;\n\n-- name: two\nSELECT ?;\n"
    assert parse_named_sql(sql) == {"one": "SELECT 1", "two": "SELECT ?"}


def test_parse_named_sql_refuses_a_duplicate_name() -> None:
    with pytest.raises(ValueError, match="twice"):
        parse_named_sql("-- name: a\nSELECT 1;\n-- name: a\nSELECT 2;")


def test_every_sql_file_parses_and_binds_parameters_instead_of_formatting() -> None:
    folder = resources.files("pipeline.storage").joinpath("sql")
    for entry in folder.iterdir():
        queries = named_queries(entry.name.removesuffix(".sql"))
        assert queries, entry.name
        for name, statement in queries.items():
            assert "{" not in statement and "%s" not in statement, (entry.name, name)
