"""The filter vocabulary: which reviews to look at, at which level of place, over which periods."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Literal

import duckdb

from pipeline.queries import _sql

Level = Literal["area", "police_force", "region", "nation", "national"]
Period = Literal["month", "quarter", "year"]

# The documents column behind each level of place. "force" is the CLI's spelling of police_force
# (`findings query trends --by force`), kept as an alias so that its option values stay the same.
LEVEL_COLUMNS: dict[str, str] = {
    "area": "area",
    "force": "police_force",
    "police_force": "police_force",
    "region": "region",
    "nation": "nation",
}

DOCUMENT_TYPE_NAMES = {
    "report": "Review reports",
    "transcript": "Interview transcripts",
    "notes": "Reviewer's notes",
    "focus_group": "Focus groups",
}


@dataclass(frozen=True)
class Filters:
    """Which reviews to look at; None means no restriction. `until` is exclusive."""

    region: str | None = None
    area: str | None = None
    police_force: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    doc_type: str | None = None

    def params(self) -> dict[str, object]:
        """Named parameters for the SQL filters (the filtered_documents macro's arguments)."""
        return asdict(self)

    def describe(self) -> str:
        """The filters in words ('Croydon, London, from Jan 2018'), for captions and reports."""
        police_force = f"{self.police_force} police" if self.police_force else None
        parts = [v for v in (self.area, self.region, police_force) if v]
        if self.doc_type:
            parts.append(DOCUMENT_TYPE_NAMES.get(self.doc_type, self.doc_type).lower())
        if self.since:
            parts.append(f"from {self.since:%b %Y}")
        if self.until:
            parts.append(f"to {self.until - dt.timedelta(days=1):%b %Y}")
        return ", ".join(parts) if parts else "all reviews"

    def without_place(self) -> Filters:
        """The same filters for the whole country."""
        return Filters(since=self.since, until=self.until, doc_type=self.doc_type)


# The default of every filtered query: a module-level value, as a call in a default argument would
# be (ruff B008); Filters is frozen, so sharing one is safe.
NO_FILTERS = Filters()


def level_column(level: str) -> str:
    """The place column a level names ('force' and 'police_force' alike); others unchanged."""
    return LEVEL_COLUMNS.get(level, level)


def period_label(date: dt.date, period: Period) -> str:
    """'2019', '2019-Q3' or '2019-07'."""
    if period == "year":
        return f"{date.year}"
    if period == "quarter":
        return f"{date.year}-Q{(date.month - 1) // 3 + 1}"
    return f"{date.year}-{date.month:02d}"


@dataclass(frozen=True)
class FilterOptions:
    """What the filters can choose from."""

    regions: list[str]
    areas: list[str]
    forces: list[str]
    doc_types: list[str]
    first_review: dt.date | None
    last_review: dt.date | None


def filter_options(con: duckdb.DuckDBPyConnection) -> FilterOptions:
    """The regions, areas, police forces, document types and date range in the warehouse."""
    row = _sql.record(con, "catalogue", "filter_options") or {}
    return FilterOptions(**{k: list(v) if isinstance(v, list) else v for k, v in row.items()})
