"""Cached reads for the viewer: the published snapshot, through the query layer, curated.

Every read is keyed by the snapshot file (and its modification time), so a new run's snapshot
is picked up on the next page load while repeated loads of the same view cost nothing. The
codebook is applied on top at read time, so a rename shows at once, before the next run.

The viewer only ever opens published snapshots, never the warehouse: a connection it cached
to the warehouse would lock every later run out until the viewer restarted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from pipeline import queries
from pipeline.access.audit import AuditEvent, load_events
from pipeline.access.memos import Memo, MemoTarget, load_memos
from pipeline.analysis.statistics import split_periods
from pipeline.passages.redact import Redactor, load_redaction_nlp
from pipeline.queries import Filters
from pipeline.queries.passages import (
    current_document_ids,
    current_passage_ids,
    current_themes,
    passages_by_id,
)
from pipeline.settings import Settings
from pipeline.storage import connect
from pipeline.storage.publish import choose_snapshot, run_holder
from pipeline.themes.codebook import Codebook, apply_codebook, load_codebook
from pipeline.themes.decisions import PassageDecisions
from pipeline.viewer.evidence import theme_coding


@dataclass(frozen=True)
class Source:
    """Which snapshot to read, which version of it (the cache key), and why not a newer one."""

    path: str
    version: float
    fallback: str | None = None


def current_source(settings: Settings) -> Source | None:
    """The newest snapshot this Findings can read; None when there is none."""
    choice = choose_snapshot(settings.db)
    if choice.snapshot is None:
        return None
    note = choice.fallback_note()
    if note:
        note = f"{note[0].upper()}{note[1:]}. Run `findings run` to publish a fresh one."
    return Source(str(choice.snapshot), choice.snapshot.stat().st_mtime, note)


@dataclass(frozen=True)
class NoSource:
    """What to tell the reader when there is nothing to show, and whether something is wrong."""

    message: str
    broken: bool


def why_no_source(settings: Settings) -> NoSource:
    """Why `current_source` found nothing: not published yet, a run under way, or unreadable."""
    choice = choose_snapshot(settings.db)
    if choice.passed_over:
        return NoSource(
            f"No findings can be shown: {choice.problem()}. Run `findings run` (or `make run`) "
            "to publish a fresh snapshot, then reload this page.",
            broken=True,
        )
    holder = run_holder(settings.db)
    if holder is not None:
        return NoSource(
            f"A run is building the first findings for `{settings.db}` ({holder.describe()}); "
            "they appear here when it finishes: reload this page then.",
            broken=False,
        )
    return NoSource(
        f"No findings published yet for `{settings.db}`. Build them with `make run` or "
        "`.venv/bin/findings run`, then reload this page.",
        broken=False,
    )


@st.cache_resource(max_entries=4)
def _connection(path: str, version: float) -> duckdb.DuckDBPyConnection:
    return connect(Path(path), read_only=True)


def cursor(source: Source) -> duckdb.DuckDBPyConnection:
    """A cursor of the shared read-only connection (one per call: pages run in threads)."""
    return _connection(source.path, source.version).cursor()


# Query results: cached per source and arguments. ttl bounds memory, the key bounds staleness.
TTL = dt.timedelta(minutes=5)


@st.cache_data(ttl=TTL, show_spinner=False)
def filter_options(source: Source) -> queries.FilterOptions:
    """Regions, areas, forces, document types and dates to filter by."""
    return queries.filter_options(cursor(source))


@st.cache_data(ttl=TTL, show_spinner=False)
def catalogue(source: Source) -> pd.DataFrame:
    """Every theme, uncurated."""
    return queries.themes_catalogue(cursor(source))


@st.cache_data(ttl=TTL, show_spinner=False)
def overview(source: Source, filters: Filters) -> pd.DataFrame:
    """Themes ranked by reviews raising them."""
    return queries.theme_overview(cursor(source), filters)


@st.cache_data(ttl=TTL, show_spinner=False)
def coverage(source: Source, filters: Filters) -> queries.Coverage:
    """Reviews, areas, regions and dates under the filters."""
    return queries.coverage(cursor(source), filters)


@st.cache_data(ttl=TTL, show_spinner=False)
def changes(source: Source) -> queries.Changes:
    """What the latest run changed."""
    return queries.changes_since_previous_run(cursor(source))


@st.cache_data(ttl=TTL, show_spinner=False)
def trend(source: Source, theme_id: int, filters: Filters, period: str) -> pd.DataFrame:
    """Reviews raising a theme per period."""
    return queries.theme_trend(cursor(source), theme_id, filters, period=period)  # type: ignore[arg-type]


@dataclass(frozen=True)
class StatusBasis:
    """The years a theme's status is computed over under the filters, and their reviews.

    The overview's trend test runs across `periods` (years with dated reviews, in order), and
    spreading compares the regions reached in `early` with those in `recent`; undated reviews
    count in every share but in no trend.
    """

    periods: list[str]
    reviews: dict[str, int]
    early: list[str]
    recent: list[str]
    undated: int


@st.cache_data(ttl=TTL, show_spinner=False)
def status_basis(source: Source, filters: Filters) -> StatusBasis:
    """The yearly periods and review counts that statuses are computed over."""
    docs = queries.documents(cursor(source), filters)
    dates = pd.to_datetime(docs["review_date"]).dropna()
    reviews = {str(year): int(n) for year, n in dates.dt.year.value_counts().sort_index().items()}
    periods = list(reviews)
    early, recent = split_periods(periods)
    return StatusBasis(periods, reviews, early, recent, undated=len(docs) - len(dates))


@st.cache_data(ttl=TTL, show_spinner=False)
def theme_regions_by_period(source: Source, theme_id: int, filters: Filters) -> pd.DataFrame:
    """Reviews raising a theme per region and year (what spreading is judged on)."""
    return queries.theme_trend(cursor(source), theme_id, filters, by="region", period="year")


@st.cache_data(ttl=TTL, show_spinner=False)
def theme_places(source: Source, theme_id: int, filters: Filters, level: str) -> pd.DataFrame:
    """Reviews raising a theme per place."""
    return queries.theme_places(cursor(source), theme_id, filters, level)  # type: ignore[arg-type]


@st.cache_data(ttl=TTL, show_spinner=False)
def quotes(source: Source, theme_id: int, filters: Filters, limit: int) -> pd.DataFrame:
    """The passages behind a theme, most representative first."""
    return queries.quotes(cursor(source), theme_id, filters, limit)


@st.cache_data(ttl=TTL, show_spinner=False)
def context(source: Source, passage_id: str, width: int = 1) -> pd.DataFrame:
    """A passage and its neighbours."""
    return queries.passage_context(cursor(source), passage_id, width)


@st.cache_data(ttl=TTL, show_spinner=False)
def cooccurrence(source: Source, filters: Filters) -> pd.DataFrame:
    """Theme pairs raised in the same reviews."""
    return queries.cooccurrence(cursor(source), filters)


@st.cache_data(ttl=TTL, show_spinner=False)
def counts(source: Source, filters: Filters, level: str) -> pd.DataFrame:
    """Theme x place prevalence over the whole filtered period: every theme in every place.

    A theme no review of a place raises is a row of 0 reviews there, so each cell can print
    its k/n (0 of 3 reviews is a finding; a blank cell reads as missing data).
    """
    frame = queries.theme_counts(cursor(source), filters, level=level, period="year")  # type: ignore[arg-type]
    if frame.empty:
        return frame
    docs = queries.documents(cursor(source), filters)
    column = queries.LEVEL_COLUMNS.get(level, level)
    totals = docs.groupby(column).size()
    summed = frame.groupby(["theme_id", "place"], as_index=False).agg(
        n_documents=("n_documents", "sum"), n_passages=("n_passages", "sum")
    )
    grid = pd.MultiIndex.from_product(
        [sorted(summed["theme_id"].unique()), list(totals.index)], names=["theme_id", "place"]
    )
    summed = summed.set_index(["theme_id", "place"]).reindex(grid, fill_value=0).reset_index()
    summed["place_documents"] = summed["place"].map(totals).astype(int)
    summed["prevalence"] = summed["n_documents"] / summed["place_documents"]
    return summed


@st.cache_data(ttl=TTL, show_spinner=False)
def compare_place(source: Source, level: str, place: str, filters: Filters) -> pd.DataFrame:
    """A place's themes against the rest of the country."""
    return queries.compare_place(cursor(source), level, place, filters)  # type: ignore[arg-type]


@st.cache_data(ttl=TTL, show_spinner=False)
def matrix(source: Source, filters: Filters, by: str) -> pd.DataFrame:
    """Framework matrix cells."""
    return queries.framework_matrix(cursor(source), filters, by)  # type: ignore[arg-type]


@st.cache_data(ttl=TTL, show_spinner=False)
def keyword_search(source: Source, query: str, filters: Filters, limit: int) -> pd.DataFrame:
    """BM25 search; the query is bound as a parameter by the query layer."""
    return queries.search_keyword(cursor(source), query, filters, limit)


@st.cache_data(ttl=TTL, show_spinner=False)
def semantic_search(
    source: Source, query: str, filters: Filters, limit: int, model: str
) -> pd.DataFrame:
    """Search by meaning with the embedding model the passages were embedded with."""
    from pipeline.embed.models import load_embedder

    return queries.search_semantic(cursor(source), query, load_embedder(model), filters, limit)


@st.cache_data(ttl=TTL, show_spinner=False)
def hybrid_search(
    source: Source, query: str, filters: Filters, limit: int, model: str, questions: str
) -> pd.DataFrame:
    """Search by words and meaning fused; interviewers' questions last or hidden."""
    from pipeline.embed.models import load_embedder
    from pipeline.queries.search import search_hybrid
    from pipeline.search_modes import Questions

    embedder = load_embedder(model)
    return search_hybrid(cursor(source), query, embedder, filters, limit, Questions(questions))


@st.cache_data(ttl=TTL, show_spinner=False)
def sources(source: Source, filters: Filters) -> pd.DataFrame:
    """Documents with metadata and passage counts."""
    return queries.sources(cursor(source), filters)


@st.cache_data(ttl=TTL, show_spinner=False)
def ingest_errors(source: Source) -> pd.DataFrame:
    """Files that failed, and why."""
    return queries.ingest_errors(cursor(source))


@st.cache_data(ttl=TTL, show_spinner=False)
def withdrawn_reviews(source: Source) -> pd.DataFrame:
    """Reviews withdrawn by hand, and why."""
    return queries.withdrawn_reviews(cursor(source))


@st.cache_data(ttl=TTL, show_spinner=False)
def run_history(source: Source) -> pd.DataFrame:
    """Theme runs, newest first."""
    return queries.run_history(cursor(source))


# The codebook, read fresh whenever the file changes, and applied to what pages show.

curate = apply_codebook


@st.cache_data(show_spinner=False)
def _codebook(path: str, version: float) -> Codebook:
    return load_codebook(Path(path))


def codebook(settings: Settings) -> Codebook:
    """The codebook as it is on disk now."""
    path = settings.codebook
    return _codebook(str(path), path.stat().st_mtime if path.is_file() else 0.0)


def theme_labels(source: Source, book: Codebook) -> dict[int, str]:
    """Theme id -> the label people see (codebook names win)."""
    labels = apply_codebook(catalogue(source), book, hide_not_relevant=False)
    return dict(zip(labels["theme_id"].astype(int), labels["label"], strict=True))


# Redaction of what is displayed.


@st.cache_resource(show_spinner=False)
def _redactor(model: str, source: Source) -> Redactor:
    return Redactor(load_redaction_nlp(model), queries.place_names(cursor(source)))


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=5000)
def _redacted(texts: tuple[str, ...], model: str, source: Source) -> list[str]:
    return _redactor(model, source).redact_many(texts)


def redact(texts: list[str], settings: Settings, source: Source) -> list[str]:
    """Texts as they may be displayed: redacted unless this person's settings say otherwise.

    The page context's settings carry the redaction app.py decided for the person reading.
    """
    if not settings.redact_quotes or not texts:
        return list(texts)
    return _redacted(tuple(texts), settings.spacy_model, source)


# Exports offered as downloads (built on demand, cached per snapshot, filters and codebook).


@st.cache_data(ttl=TTL, show_spinner="Drafting the report…", max_entries=16)
def report_file(
    source: Source,
    filters: Filters,
    _book: Codebook,
    book_key: float,
    fmt: str,
    redact: bool,
    spacy_model: str,
    agreement: str | None = None,
) -> bytes:
    """The drafted report as .md, .html or .docx bytes (`agreement`: the method note's check)."""
    import tempfile

    from pipeline.exports.report import build_report, write_report

    redactor = _redactor(spacy_model, source) if redact else None
    report = build_report(
        cursor(source),
        _book,
        filters,
        scope=filters.describe(),
        redactor=redactor,
        agreement=agreement,
    )
    with tempfile.TemporaryDirectory() as folder:
        return write_report(report, Path(folder) / f"report.{fmt}").read_bytes()


@st.cache_data(ttl=TTL, show_spinner="Building the REFI-QDA project…", max_entries=8)
def qdpx_file(source: Source, filters: Filters, _book: Codebook, book_key: float) -> bytes:
    """The .qdpx archive."""
    from pipeline.exports.qdpx import qdpx_bytes

    return qdpx_bytes(cursor(source), _book, filters)[0]


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=8)
def codebook_file(source: Source, _book: Codebook, book_key: float) -> bytes:
    """The .qdc codebook."""
    from pipeline.exports.qdpx import codebook_bytes

    return codebook_bytes(cursor(source), _book)


@st.cache_data(ttl=TTL, show_spinner="Writing the tables…", max_entries=8)
def tables_zip(
    source: Source,
    filters: Filters,
    _book: Codebook,
    book_key: float,
    redact: bool,
    spacy_model: str,
) -> bytes:
    """Every export table as CSV in one zip; passage text redacted when redaction is on."""
    import io
    import zipfile

    from pipeline.exports.tables import export_tables

    redactor = _redactor(spacy_model, source) if redact else None
    tables = export_tables(cursor(source), _book, filters, redactor)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, frame in tables.items():
            archive.writestr(f"{name}.csv", frame.to_csv(index=False, lineterminator="\n"))
    return buffer.getvalue()


def codebook_key(settings: Settings) -> float:
    """Changes whenever the codebook file does (part of the export cache keys)."""
    path = settings.codebook
    return path.stat().st_mtime if path.is_file() else 0.0


# The team store: read fresh on every load (an audit page must show what just happened).


def team_store_version(store: Path) -> tuple[int, ...]:
    """Changes whenever the team store does (any write touches the file or its WAL).

    Reads of the store below are cached on it: a page shows a save at once, and does not
    fold the decision log or bootstrap the agreement again on every render.
    """
    return tuple(
        value
        for path in (store, store.with_name(f"{store.name}-wal"))
        for value in ((path.stat().st_mtime_ns, path.stat().st_size) if path.exists() else (0, 0))
    )


def passage_decisions(settings: Settings, source: Source) -> dict[str, PassageDecisions]:
    """People's current coding decisions, by the snapshot's passages.

    A decision on a passage an edit of its document retired is its successor's.
    """
    return _passage_decisions(settings.team_db, team_store_version(settings.team_db), source)


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=4)
def _passage_decisions(
    store: Path, version: tuple[int, ...], source: Source
) -> dict[str, PassageDecisions]:
    from pipeline.access.codings import load_decisions
    from pipeline.themes.decisions import current_decisions

    log = load_decisions(store)
    now = current_passage_ids(cursor(source), {d.passage_id for d in log})
    return current_decisions((d for d in log if d.passage_id in now), now)


@dataclass(frozen=True)
class ThemeEvidence:
    """A theme's quotes with people's current decisions laid over the snapshot's themes."""

    quotes: pd.DataFrame  # the snapshot's, most representative first, less those taken off
    put_here: pd.DataFrame  # passages people moved or added here, most recent first
    taken_off: pd.DataFrame  # the snapshot's passages here that people moved or took off
    pending: int  # passages, on any theme, whose theme people changed since the snapshot


def theme_evidence(
    settings: Settings, source: Source, theme_id: int, filters: Filters, limit: int
) -> ThemeEvidence:
    """The passages behind a theme as people coded them: shown at once, counted next run.

    Each list holds at most `limit` passages under the filters.
    """
    store = settings.team_db
    return _theme_evidence(source, theme_id, filters, limit, store, team_store_version(store))


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=64)
def _theme_evidence(
    source: Source,
    theme_id: int,
    filters: Filters,
    limit: int,
    store: Path,
    version: tuple[int, ...],
) -> ThemeEvidence:
    decisions = _passage_decisions(store, version, source)
    con = cursor(source)
    decided = [passage_id for passage_id, passage in decisions.items() if passage.themes]
    coding = theme_coding(theme_id, current_themes(con, decided), decisions)
    # Enough of the snapshot's quotes that `limit` are left once those taken off are dropped.
    machine = queries.quotes(con, theme_id, filters, limit + len(coding.off))
    machine = machine[~machine["passage_id"].isin(coding.off)].head(limit)
    return ThemeEvidence(
        quotes=machine.reset_index(drop=True),
        put_here=_in_order(passages_by_id(con, coding.onto, filters), coding.onto, limit),
        taken_off=_in_order(passages_by_id(con, coding.off, filters), coding.off, limit),
        pending=coding.pending,
    )


def _in_order(found: pd.DataFrame, order: tuple[str, ...], limit: int) -> pd.DataFrame:
    """The first `limit` found passages in the order of `order` (the query returns any order)."""
    rank = {passage_id: position for position, passage_id in enumerate(order)}
    found = found.assign(rank=found["passage_id"].map(rank)).sort_values("rank")
    return found.drop(columns="rank").head(limit).reset_index(drop=True)


def memos_on(settings: Settings, target: MemoTarget, source: Source) -> dict[str, list[Memo]]:
    """People's memos on every theme, document or passage (`target`), by its id, oldest first.

    A memo on an earlier version of a document, or on a passage an edit retired, is on the
    current version or the passage holding its text now.
    """
    version = team_store_version(settings.team_db)
    return _memos_on(settings.team_db, version, target.value, source)


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=8)
def _memos_on(
    store: Path, version: tuple[int, ...], target: str, source: Source
) -> dict[str, list[Memo]]:
    memos = load_memos(store, MemoTarget(target))
    now: dict[str, str] = {}
    ids = {memo.target_id for memo in memos}
    if target == MemoTarget.passage.value:
        now = current_passage_ids(cursor(source), ids)
    elif target == MemoTarget.document.value:
        now = current_document_ids(cursor(source), ids)
    grouped: dict[str, list[Memo]] = {}
    for memo in memos:
        grouped.setdefault(now.get(memo.target_id, memo.target_id), []).append(memo)
    return grouped


def memos_holding(settings: Settings, words: str) -> list[Memo]:
    """Memos holding every word of `words` (any case), oldest first.

    Every word, not the phrase: a search box's words ('tenant flat') are seldom a memo's phrase.
    """
    wanted = words.casefold().split()
    every = _every_memo(settings.team_db, team_store_version(settings.team_db))
    return [m for m in every if wanted and all(w in m.text.casefold() for w in wanted)]


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=4)
def _every_memo(store: Path, version: tuple[int, ...]) -> list[Memo]:
    return load_memos(store)


def agreement_note(settings: Settings) -> str:
    """The report's sentence on how far people checked the machine's coding."""
    return _agreement_note(settings.team_db, team_store_version(settings.team_db))


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=4)
def _agreement_note(store: Path, version: tuple[int, ...]) -> str:
    from pipeline.access.validation import agreement_statement

    return agreement_statement(store)


def checked_by_people(settings: Settings, theme_id: int) -> str:
    """How far people's blind coding agrees with the machine's on a theme, in a few words."""
    return _checked_by_people(settings.team_db, team_store_version(settings.team_db), theme_id)


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=64)
def _checked_by_people(store: Path, version: tuple[int, ...], theme_id: int) -> str:
    from contextlib import closing

    from pipeline.access.validation import NOT_CHECKED, theme_check
    from pipeline.storage.team import open_team_store

    if not store.exists():
        return NOT_CHECKED
    with closing(open_team_store(store)) as con:
        check = theme_check(con, theme_id)
    return NOT_CHECKED if check is None else check.describe()


def audit_events(settings: Settings, since: dt.date | None, person: str | None) -> list[AuditEvent]:
    """Audit events from `since` (a UTC date) on, by `person` (any case), oldest first."""
    start = None if since is None else dt.datetime.combine(since, dt.time(), tzinfo=dt.UTC)
    return load_events(settings.team_db, start, person or None)
