"""Load named SQL statements (`-- name: NAME` blocks) from the package's `.sql` files."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

_NAME = re.compile(r"^--\s*name:\s*(?P<name>[a-z_][a-z0-9_]*)\s*$", re.MULTILINE)


def parse_named_sql(source: str) -> dict[str, str]:
    """Split SQL text into {name: statement}; text before the first name is ignored."""
    queries: dict[str, str] = {}
    matches = list(_NAME.finditer(source))
    for match, following in zip(matches, [*matches[1:], None], strict=True):
        end = following.start() if following else len(source)
        body = source[match.end() : end].strip()
        name = match.group("name")
        if name in queries:
            raise ValueError(f"SQL name {name!r} is defined twice")
        queries[name] = body.rstrip(";").strip()
    return queries


@cache
def named_queries(module: str) -> dict[str, str]:
    """The named statements of `pipeline/storage/sql/<module>.sql`."""
    source = resources.files("pipeline.storage").joinpath("sql", f"{module}.sql")
    return parse_named_sql(source.read_text(encoding="utf-8"))
