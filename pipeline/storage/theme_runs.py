"""Every warehouse read and write of a theme run, as named SQL from `sql/themes.sql`.

Reads return records built by column name, never tuples to index; writes take the records the
theme stage produced. Callers group the writes of a run in one `transaction`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from pipeline.records import KnownTheme, PassageCode, ThemeLineage, ThemeRecord
from pipeline.storage.named_sql import named_queries
from pipeline.themes.decisions import AppliedDecision, CodingState

_ASSIGNMENTS_FRAME = "run_assignments_frame"  # the names the insert_*_from_frame SQL reads
_CODES_FRAME = "run_codes_frame"
_DECISIONS_FRAME = "run_decisions_frame"


@dataclass(frozen=True)
class ThemePassage:
    """A passage the theme stage works on (interviewers' questions excluded)."""

    passage_id: str
    text: str
    doc_id: str
    area: str | None
    scope: str = "local"
    ordinal: int = 0  # its place in its document: a theme run reads it beside its neighbours


@dataclass(frozen=True)
class ThemeRunRef:
    """A finished theme run: its id and the embedding model it used."""

    run_id: str
    model: str


def _sql(name: str) -> str:
    return named_queries("themes")[name]


def _records(cursor: duckdb.DuckDBPyConnection) -> list[dict[str, object]]:
    """The cursor's rows as {column name: value}."""
    columns = [column[0] for column in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def passages_for_themes(con: duckdb.DuckDBPyConnection, model: str) -> list[ThemePassage]:
    """Every passage with a vector for `model`, in passage id order."""
    return [
        ThemePassage(**row) for row in _records(con.execute(_sql("passages_for_themes"), [model]))
    ]


@dataclass(frozen=True)
class PassageCensus:
    """Every passage; interviewers' questions and data tables' rows among them; texts.

    Repeats share a vector, so there are fewer texts than passages.
    """

    passages: int
    questions: int
    table_rows: int
    distinct_texts: int


def passage_census(con: duckdb.DuckDBPyConnection) -> PassageCensus:
    """How the warehouse's passages divide: evidence and questions, texts and repeats."""
    return PassageCensus(**_records(con.execute(_sql("passage_census")))[0])


def passages_of_last_full_fit(con: duckdb.DuckDBPyConnection, model: str) -> set[str]:
    """The passages the latest full fit (a refit or the first run) of `model` saw; none before."""
    row = con.execute(_sql("last_full_fit"), [model]).fetchone()
    return set() if row is None else set(run_assignments(con, row[0]))


def last_succeeded_run(con: duckdb.DuckDBPyConnection) -> ThemeRunRef | None:
    """The latest theme run that finished, or None before the first."""
    rows = _records(con.execute(_sql("last_succeeded_run")))
    return ThemeRunRef(**rows[0]) if rows else None


def run_assignments(con: duckdb.DuckDBPyConnection, run_id: str) -> dict[str, int]:
    """Passage id -> theme id (OUTLIER included) of one run."""
    rows = _records(con.execute(_sql("run_assignments"), [run_id]))
    return {row["passage_id"]: row["theme_id"] for row in rows}


def passage_successors(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Retired passage id -> the id of the passage with its text in the latest version."""
    return dict(con.execute(_sql("passage_successors")).fetchall())


def machine_assignments(con: duckdb.DuckDBPyConnection, run_id: str) -> dict[str, int]:
    """Passage id -> the theme the machine proposed in one run, before people's decisions."""
    rows = _records(con.execute(_sql("machine_assignments"), [run_id]))
    return {row["passage_id"]: row["theme_id"] for row in rows}


@dataclass(frozen=True)
class KnownAssignment:
    """A passage's theme in the last run that held it: as people left it, as the machine had it."""

    theme_id: int
    machine_theme_id: int


def last_known_assignments(
    con: duckdb.DuckDBPyConnection, passage_ids: Collection[str], model: str
) -> dict[str, KnownAssignment]:
    """Passage id -> its theme in the last succeeded run of `model` that held it (if any)."""
    if not passage_ids:
        return {}
    rows = _records(
        con.execute(_sql("last_known_assignments"), {"ids": list(passage_ids), "model": model})
    )
    return {
        row["passage_id"]: KnownAssignment(row["theme_id"], row["machine_theme_id"]) for row in rows
    }


def known_themes(con: duckdb.DuckDBPyConnection, model: str) -> dict[int, KnownTheme]:
    """The themes found earlier with `model`, by id, in id order."""
    known: dict[int, KnownTheme] = {}
    for row in _records(con.execute(_sql("known_themes"), [model])):
        centroid = row.pop("centroid")
        theme = KnownTheme(
            **(row | {"keywords": tuple(row["keywords"] or ())}),
            centroid=None if centroid is None else np.asarray(centroid, dtype=np.float32),
        )
        known[theme.theme_id] = theme
    return known


def max_theme_id(con: duckdb.DuckDBPyConnection) -> int:
    """The highest theme id ever given (0 before the first run)."""
    return _records(con.execute(_sql("max_theme_id")))[0]["max_theme_id"]


def max_machine_theme_id(con: duckdb.DuckDBPyConnection, peoples_first: int) -> int:
    """The highest theme id the machine has given (those below `peoples_first`; 0 before any)."""
    return _records(con.execute(_sql("max_machine_theme_id"), [peoples_first]))[0]["max_theme_id"]


def start_run(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    started_at: dt.datetime,
    params: dict[str, object],
    model: str,
    mode: str,
) -> None:
    """Record a run as running (committed at once, so a killed run leaves its trace)."""
    con.execute(_sql("start_run"), [run_id, started_at, json.dumps(params), model, mode])


def abort_unfinished_runs(con: duckdb.DuckDBPyConnection, finished_at: dt.datetime) -> list[str]:
    """Mark runs left 'running' by a process that died as 'aborted'; return their ids.

    Only under the run lock: then no run of another process is live, and one of this process
    has not started yet.
    """
    rows = _records(
        con.execute(named_queries("runs")["abort_unfinished_runs"], {"finished_at": finished_at})
    )
    return sorted(row["run_id"] for row in rows)


def finish_run(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    *,
    finished_at: dt.datetime,
    n_passages: int,
    n_themes: int,
    n_new_themes: int,
    outlier_share: float,
    timings: dict[str, float],
) -> None:
    """Mark a run succeeded with its counts."""
    con.execute(
        _sql("finish_run"),
        [
            finished_at,
            n_passages,
            n_themes,
            n_new_themes,
            outlier_share,
            json.dumps(timings),
            run_id,
        ],
    )


def upsert_themes(con: duckdb.DuckDBPyConnection, records: Iterable[ThemeRecord]) -> None:
    """Insert new themes and update known ones (their first run is kept)."""
    for record in records:
        con.execute(
            _sql("upsert_theme"),
            [
                record.theme_id,
                record.label,
                list(record.keywords),
                record.description,
                record.status,
                record.first_run_id,
                record.last_run_id,
                record.centroid.tolist(),
                record.heading,
                record.generated_label,
                list(record.quote_passage_ids),
                record.n_passages,
                record.model,
                record.curated,
            ],
        )


def mark_dormant(con: duckdb.DuckDBPyConnection, theme_ids: Iterable[int]) -> None:
    """Keep themes that lost all their passages, as dormant with no passages."""
    for theme_id in theme_ids:
        con.execute(_sql("mark_dormant"), [theme_id])


def insert_assignments(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    passage_ids: Sequence[str],
    theme_of: np.ndarray,
    similarity: np.ndarray,
) -> None:
    """One row per passage of the run: its theme (OUTLIER for none) and its similarity."""
    frame = pd.DataFrame(
        {
            "run_id": run_id,
            "passage_id": passage_ids,
            "theme_id": theme_of.astype(np.int64),
            "probability": similarity.astype(np.float64),
        }
    )
    con.register(_ASSIGNMENTS_FRAME, frame)
    try:
        con.execute(_sql("insert_assignments_from_frame"))
    finally:
        con.unregister(_ASSIGNMENTS_FRAME)


def count_document_themes(con: duckdb.DuckDBPyConnection, run_id: str) -> None:
    """Store the run's passages-per-review-and-theme counts (the document_themes view)."""
    con.execute(_sql("count_document_themes"), [run_id])


def insert_passage_codes(
    con: duckdb.DuckDBPyConnection, run_id: str, codes: Sequence[PassageCode]
) -> None:
    """The run's passage-to-guided-theme relations."""
    if not codes:
        return
    frame = pd.DataFrame(
        [(run_id, code.passage_id, code.code_id, code.similarity) for code in codes],
        columns=["run_id", "passage_id", "code_id", "similarity"],
    )
    con.register(_CODES_FRAME, frame)
    try:
        con.execute(_sql("insert_passage_codes_from_frame"))
    finally:
        con.unregister(_CODES_FRAME)


def insert_lineage(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    events: Iterable[ThemeLineage],
    recorded_at: dt.datetime,
) -> None:
    """The run's splits and merges (in the run's transaction, like its assignments)."""
    for event in events:
        con.execute(
            _sql("insert_lineage"),
            [
                run_id,
                event.kind,
                list(event.from_theme_ids),
                list(event.to_theme_ids),
                event.passages_moved,
                recorded_at,
            ],
        )


def run_lineage(con: duckdb.DuckDBPyConnection, run_id: str) -> list[ThemeLineage]:
    """The splits and merges one run recorded."""
    return [
        ThemeLineage(
            kind=row["kind"],
            from_theme_ids=tuple(row["from_theme_ids"]),
            to_theme_ids=tuple(row["to_theme_ids"]),
            passages_moved=row["passages_moved"],
        )
        for row in _records(con.execute(_sql("run_lineage"), [run_id]))
    ]


def cached_code_vector(
    con: duckdb.DuckDBPyConnection, code_id: str, text_sha: str, model: str
) -> np.ndarray | None:
    """A guided theme's cached vector for this text and model, or None."""
    rows = _records(con.execute(_sql("cached_code_vector"), [code_id, text_sha, model]))
    return np.asarray(rows[0]["vector"], dtype=np.float32) if rows else None


def cache_code_vector(
    con: duckdb.DuckDBPyConnection,
    *,
    code_id: str,
    name: str,
    description: str,
    text_sha: str,
    model: str,
    vector: np.ndarray,
) -> None:
    """Store (or replace) a guided theme's vector."""
    con.execute(
        _sql("cache_code_vector"),
        [code_id, name, description, text_sha, model, vector.tolist()],
    )


def _naive_utc(moment: dt.datetime) -> dt.datetime:
    """A time as DuckDB TIMESTAMP columns hold it: UTC, without a zone."""
    return moment.astimezone(dt.UTC).replace(tzinfo=None) if moment.tzinfo else moment


def insert_run_decisions(
    con: duckdb.DuckDBPyConnection, run_id: str, applied: Sequence[AppliedDecision]
) -> None:
    """The people's decisions a run applied (beside the machine's proposal), and their counts."""
    if applied:
        frame = pd.DataFrame(
            {
                "run_id": run_id,
                "passage_id": [d.passage_id for d in applied],
                "theme_id": np.array([d.theme_id for d in applied], dtype=np.int64),
                "state": [d.state.value for d in applied],
                "machine_theme_id": np.array([d.machine_theme_id for d in applied], dtype=np.int64),
                "disagrees": [d.disagrees for d in applied],
                "coder": [d.coder for d in applied],
                "decided_at": [_naive_utc(d.decided_at) for d in applied],
                "why": [d.why for d in applied],
            }
        )
        con.register(_DECISIONS_FRAME, frame)
        try:
            con.execute(_sql("insert_run_decisions_from_frame"))
        finally:
            con.unregister(_DECISIONS_FRAME)
    con.execute(_sql("count_run_decisions"), {"run_id": run_id})


@dataclass(frozen=True)
class RunDecision:
    """A person's decision as a run applied and recorded it."""

    passage_id: str
    theme_id: int
    state: CodingState
    machine_theme_id: int
    disagrees: bool
    coder: str
    decided_at: dt.datetime
    why: str


def run_decisions(con: duckdb.DuckDBPyConnection, run_id: str) -> list[RunDecision]:
    """The decisions one run applied, passage by passage."""
    return [
        RunDecision(**(row | {"state": CodingState(row["state"])}))
        for row in _records(con.execute(_sql("run_decisions"), [run_id]))
    ]
