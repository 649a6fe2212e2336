from __future__ import annotations

import ast
import re
from importlib import resources
from pathlib import Path

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


REPO = Path(__file__).resolve().parents[2]
SQL_TEXT = re.compile(
    r"^\s*(SELECT|INSERT|UPDATE|DELETE|CREATE|WITH|PRAGMA|BEGIN|COMMIT|ROLLBACK|DROP|ALTER)\b"
)


def string_constants(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]


def test_sql_text_lives_in_storage_only() -> None:
    # Outside pipeline/storage/, code runs named statements from storage's .sql files: no SQL
    # written inline where a reader of that module would not look for it.
    outside = [
        path
        for path in [
            *(REPO / "pipeline").rglob("*.py"),
            REPO / "app.py",
            *(REPO / "app_pages").glob("*.py"),
        ]
        if "storage" not in path.relative_to(REPO).parts
    ]
    found = [
        f"{path.relative_to(REPO)}:{line}: {text.strip()[:60]}"
        for path in outside
        for line, text in string_constants(path)
        if SQL_TEXT.match(text)
    ]
    assert found == []


def test_every_named_statement_is_used() -> None:
    code = "\n".join(
        path.read_text(encoding="utf-8")
        for folder in ("pipeline", "app_pages", "bench")
        for path in (REPO / folder).rglob("*.py")
    )
    folder = resources.files("pipeline.storage").joinpath("sql")
    unused = [
        f"{entry.name}: {name}"
        for entry in folder.iterdir()
        for name in named_queries(entry.name.removesuffix(".sql"))
        if not re.search(rf"""["']{name}["']""", code)
    ]
    assert unused == []
