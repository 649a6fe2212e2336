"""What a validation sample needs from the warehouse: candidates, the choices, the texts."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from pipeline.analysis.validation_sample import CandidatePassage
from pipeline.queries import _sql


@dataclass(frozen=True)
class ThemeChoice:
    """A theme a coder may pick for a passage."""

    theme_id: int
    label: str
    description: str | None


def validation_candidates(con: duckdb.DuckDBPyConnection) -> list[CandidatePassage]:
    """Every passage the latest run coded, with its machine theme and its document's region."""
    return [
        CandidatePassage(**row) for row in _sql.records(con, "validation", "validation_candidates")
    ]


def theme_choices(con: duckdb.DuckDBPyConnection) -> list[ThemeChoice]:
    """The themes of the latest run, by label."""
    return [ThemeChoice(**row) for row in _sql.records(con, "validation", "theme_choices")]


def passage_texts(con: duckdb.DuckDBPyConnection, passage_ids: list[str]) -> dict[str, str]:
    """The text of each passage asked for, by id."""
    params = {"ids": passage_ids}
    return _sql.mapping(con, "validation", "passage_texts", "passage_id", "text", params)
