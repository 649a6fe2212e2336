"""The `findings` command line: thin over the stages; errors become messages and exit codes."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import re
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.logging import RichHandler
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from pipeline.errors import FindingsError
from pipeline.settings import Settings

app = typer.Typer(
    help="Findings: qualitative evidence synthesis for locality reviews.",
    no_args_is_help=True,
    add_completion=False,
)
out = Console()
err = Console(stderr=True)

DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db", help="DuckDB warehouse file (default data/findings.duckdb or $FINDINGS_DB)."
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]


class DocType(StrEnum):
    """Document types a review leaves behind."""

    report = "report"
    transcript = "transcript"
    focus_group = "focus_group"
    notes = "notes"


@app.callback()
def main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log progress details.")] = False,
) -> None:
    """Findings: ingest locality reviews and synthesise what they say."""
    logging.basicConfig(
        level=logging.WARNING,
        format="%(message)s",
        handlers=[RichHandler(console=err, show_path=False, show_time=False)],
    )
    logging.getLogger("pipeline").setLevel(logging.INFO if verbose else logging.WARNING)


def _settings(db: Path | None) -> Settings:
    settings = Settings()
    return settings.model_copy(update={"db": db}) if db else settings


def _review_date(value: str | None) -> str | None:
    if value is None:
        return None
    if not re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", value):
        raise typer.BadParameter("use YYYY-MM or YYYY-MM-DD", param_hint="--date")
    try:
        dt.date.fromisoformat(value if len(value) == 10 else value + "-01")
    except ValueError as exc:
        raise typer.BadParameter(f"{value} is not a calendar date", param_hint="--date") from exc
    return value


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders of review documents.")],
    db: DbOption = None,
    area: Annotated[str | None, typer.Option(help="Area for files that do not say.")] = None,
    date: Annotated[
        str | None,
        typer.Option("--date", help="Review date YYYY-MM[-DD] for files that do not say."),
    ] = None,
    doc_type: Annotated[
        DocType | None, typer.Option("--type", help="Document type for files that do not say.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Ingest documents (txt, md, docx, pdf, html) into the warehouse.

    Exit status 0 when every file was ingested or skipped as already there, 1 when some failed
    (the others are still ingested), 2 for usage errors.
    """
    from pipeline.ingest.ingester import Ingester, IngestOptions, discover_files
    from pipeline.storage import open_warehouse

    settings = _settings(db)
    options = IngestOptions(area=area, review_date=_review_date(date), doc_type=doc_type)
    try:
        con = open_warehouse(settings.db)
    except (FindingsError, OSError) as exc:
        err.print(f"[red]cannot open the warehouse {settings.db}: {exc}")
        raise typer.Exit(1) from exc
    with con, _progress(disable=as_json) as progress:
        total = sum(1 for _ in discover_files(p for p in paths if p.exists()))
        task = progress.add_task("loading the language pipeline", total=total)
        ingester = Ingester(con, settings)
        progress.update(task, description="ingesting")

        def advance(path: Path, outcome: str) -> None:
            progress.update(task, advance=1, description=f"{outcome}: {path.name}")

        report = ingester.ingest(paths, options, on_file=advance)
    if as_json:
        out.print_json(json.dumps(report.as_dict()))
    else:
        out.print(
            f"added {report.added} documents ({report.passages} passages), "
            f"skipped {report.skipped}, failed {len(report.errors)} in {report.seconds:.1f} s"
        )
        for item in report.duplicates:
            out.print(f"[yellow]duplicate[/] {item['path']}: same text as {item['duplicate_of']}")
        for item in report.warnings:
            out.print(f"[yellow]warning[/] {item['path']}: {item['reason']}")
        for item in report.errors:
            out.print(f"[red]error[/] {item['path']}: {item['reason']}")
    if report.errors:
        raise typer.Exit(1)


@app.command()
def status(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Counts of documents, passages, places and errors; coverage; the national themes."""
    from pipeline.queries.runs import warehouse_status

    settings = _settings(db)
    if not settings.db.exists():
        err.print(f"[red]no warehouse at {settings.db}: run `findings ingest PATH` first")
        raise typer.Exit(1)
    summary = warehouse_status(settings.db)
    if as_json:
        out.print_json(json.dumps(summary, default=str))
        return
    counts = summary["counts"]
    coverage = summary["coverage"]
    out.print(
        f"[bold]{counts['documents']}[/] documents, [bold]{counts['passages']}[/] passages, "
        f"{counts['places']} gazetteer places, {counts['errors']} errors, "
        f"{counts['warnings']} warnings"
    )
    dated = (
        f"reviews from {coverage['first_review']} to {coverage['last_review']}"
        if coverage["first_review"] is not None
        else "no review dates"
    )
    out.print(f"{coverage['areas']} areas in {coverage['regions']} regions, {dated}")
    table = Table("region", "documents", "areas", "passages", title="Coverage by region")
    for row in summary["by_region"]:
        table.add_row(row["region"], str(row["documents"]), str(row["areas"]), str(row["passages"]))
    out.print(table)
    if summary["themes"]:
        run_info = summary["latest_run"]
        themes_table = Table(
            "theme",
            "status",
            "reviews",
            "areas",
            "regions",
            "passages",
            title=f"National themes (run {run_info['run_id']}, ranked by reviews raising them)",
        )
        for row in summary["themes"]:
            themes_table.add_row(
                f"{row['label']} [dim]#{row['theme_id']}",
                row["status"],
                str(row["documents"]),
                str(row["areas"]),
                str(row["regions"]),
                str(row["passages"]),
            )
        out.print(themes_table)
    if summary["recent_errors"]:
        errors = Table("path", "severity", "reason", title="Recent ingest problems")
        for row in summary["recent_errors"]:
            errors.add_row(row["path"], row["severity"], row["reason"])
        out.print(errors)


@app.command()
def embed(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Embed every passage that has no vector yet for the configured model (cached)."""
    from pipeline.embed.models import embed_passages, load_embedder
    from pipeline.storage import open_warehouse

    settings = _settings(db)
    with open_warehouse(settings.db) as con, _progress(disable=as_json) as progress:
        task = progress.add_task("loading the embedding model", total=None)
        embedder = load_embedder(settings.embedding_model)
        progress.update(task, description="embedding")

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        report = embed_passages(con, embedder, settings.embed_batch_size, on_batch=advance)
    if as_json:
        out.print_json(json.dumps(report.as_dict()))
    else:
        out.print(
            f"embedded {report.embedded} passages ({report.cached} cached) with {report.model} "
            f"at {report.passages_per_s:.1f} passages/s"
        )


@app.command()
def themes(
    db: DbOption = None,
    refit: Annotated[bool, typer.Option(help="Refit from scratch instead of updating.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Discover or update themes over the embedded passages and list them."""
    from pipeline.embed.models import LazyEmbedder
    from pipeline.errors import RunInProgressError
    from pipeline.storage import named_queries, open_warehouse
    from pipeline.storage.publish import publish_snapshot, run_lock
    from pipeline.themes.codebook import load_codebook
    from pipeline.themes.run import ThemeRunner

    settings = _settings(db)
    try:
        with run_lock(settings.db):
            with open_warehouse(settings.db) as con:
                embedder = LazyEmbedder(settings.embedding_model)
                runner = ThemeRunner(
                    con, embedder, load_codebook(settings.codebook), settings.spacy_model
                )
                try:
                    report = runner.run(refit=refit)
                except ValueError as exc:
                    err.print(f"[red]{exc}: run `findings embed` first")
                    raise typer.Exit(1) from exc
                listed = con.execute(named_queries("themes")["theme_summary"]).fetchall()
            publish_snapshot(settings.db, report.run_id)
    except RunInProgressError as exc:
        err.print(f"[red]{exc}")
        raise typer.Exit(1) from exc
    if as_json:
        payload = report.as_dict() | {
            "theme_list": [
                {
                    "theme_id": r[0],
                    "label": r[1],
                    "status": r[2],
                    "heading": r[3],
                    "n_passages": r[4],
                    "keywords": list(r[5] or []),
                }
                for r in listed
            ]
        }
        out.print_json(json.dumps(payload))
        return
    table = Table("id", "theme", "status", "heading", "passages", title=f"Themes ({report.mode})")
    for theme_id, label, status_, heading, n_passages, _ in listed:
        table.add_row(str(theme_id), label, status_, heading or "", str(n_passages))
    out.print(table)
    out.print(f"unassigned: {report.outlier_share:.1%} of {report.n_passages} passages")


@app.command()
def run(
    corpus: Annotated[
        Path | None, typer.Option(help="Folder of reviews to ingest (default: corpus/).")
    ] = None,
    db: DbOption = None,
    refit: Annotated[bool, typer.Option(help="Refit themes from scratch.")] = False,
    workers: Annotated[
        int, typer.Option(min=1, help="Embed on a local Dask cluster of this many processes.")
    ] = 1,
    dask_address: Annotated[
        str | None,
        typer.Option(help="Embed on an existing Dask cluster (e.g. tcp://scheduler:8786)."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Ingest a folder (and its inbox/), embed, update themes and publish: the refresh flow."""
    # Prefect's ephemeral mode: a temporary local API, nothing to start by hand (pipeline.flows
    # sets how long to wait for it before Prefect is imported).
    from pipeline.errors import RunInProgressError
    from pipeline.flows import refresh_flow
    from pipeline.storage.publish import run_lock

    settings = _settings(db)
    folder = corpus or settings.corpus
    try:
        # Refuse at once, before Prefect starts and logs the refusal as a flow failure; the
        # flow takes the lock again for the run itself.
        with run_lock(settings.db):
            pass
        summary = refresh_flow(
            corpus=str(folder),
            inbox=str(folder / "inbox"),
            db=str(settings.db),
            refit=refit,
            workers=workers,
            dask_address=dask_address,
        )
    except RunInProgressError as exc:
        err.print(f"[red]{exc}")
        raise typer.Exit(1) from exc
    errors = summary.pop("errors")
    if as_json:
        out.print_json(json.dumps(summary | {"errors": errors}))
    else:
        out.print(
            f"run {summary['run_id']}: {summary['documents_added']} documents added, "
            f"{summary['passages_embedded']} passages embedded, {summary['themes']} themes "
            f"({summary['new_themes']} new), {summary['outlier_share']:.1%} unassigned"
        )
        for item in errors:
            out.print(f"[red]error[/] {item['path']}: {item['reason']}")
    if errors:
        raise typer.Exit(1)


query_app = typer.Typer(help="Ask the warehouse: themes, quotes, trends, framework matrix.")
app.add_typer(query_app, name="query")

RegionOption = Annotated[str | None, typer.Option(help="Only reviews in this region.")]
AreaOption = Annotated[str | None, typer.Option(help="Only reviews of this local authority.")]
ForceOption = Annotated[str | None, typer.Option(help="Only reviews in this police force area.")]
SinceOption = Annotated[str | None, typer.Option(help="Reviews from this month on (YYYY-MM).")]
UntilOption = Annotated[str | None, typer.Option(help="Reviews up to this month (YYYY-MM).")]
TypeOption = Annotated[DocType | None, typer.Option("--type", help="Only this document type.")]


def _month(value: str | None, name: str, *, end: bool) -> dt.date | None:
    if value is None:
        return None
    if not re.fullmatch(r"\d{4}-\d{2}", value):
        raise typer.BadParameter("use YYYY-MM", param_hint=name)
    year, month = int(value[:4]), int(value[5:])
    if not 1 <= month <= 12:
        raise typer.BadParameter(f"{value} has no month {month}", param_hint=name)
    if end:  # --until is inclusive of its month; the query bound is exclusive
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return dt.date(year, month, 1)


def _filters(region, area, force, since, until, doc_type):  # noqa: ANN001, ANN202
    from pipeline.queries import Filters

    return Filters(
        region=region,
        area=area,
        police_force=force,
        since=_month(since, "--since", end=False),
        until=_month(until, "--until", end=True),
        doc_type=doc_type.value if doc_type else None,
    )


def _read(db: Path | None):  # noqa: ANN202
    """A read-only connection to the published snapshot (else the warehouse itself)."""
    from pipeline.storage import connect
    from pipeline.storage.publish import readable_database

    settings = _settings(db)
    if not settings.db.exists():
        err.print(f"[red]no warehouse at {settings.db}: run `findings run` first")
        raise typer.Exit(1)
    return connect(readable_database(settings.db), read_only=True)


def _emit(frame, as_json: bool, title: str, columns: list[str] | None = None) -> None:  # noqa: ANN001
    if as_json:
        out.print_json(frame.to_json(orient="records", date_format="iso", default_handler=str))
        return
    shown = frame[columns] if columns else frame
    table = Table(*[str(c) for c in shown.columns], title=title)
    for row in shown.itertuples(index=False):
        table.add_row(*[_cell(v) for v in row])
    out.print(table)


def _cell(value: object) -> Text:
    """A value as table text: a dash when missing, dates as dates, never console markup.

    Document text is data: wrapping it in `Text` keeps `[bold]` or `[/]` in a quote literal.
    """
    import pandas as pd  # here, not at the top: `findings --help` stays fast

    if value is None or (not isinstance(value, list | tuple | dict) and pd.isna(value)):
        return Text("—")
    if isinstance(value, dt.datetime | pd.Timestamp) and value == value.normalize():
        return Text(value.date().isoformat())
    if isinstance(value, float):
        return Text(f"{value:.3f}")
    return Text(str(value))


@query_app.command("themes")
def query_themes(
    db: DbOption = None,
    region: RegionOption = None,
    area: AreaOption = None,
    force: ForceOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    doc_type: TypeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Themes ranked by the reviews raising them, with prevalence and status."""
    from pipeline.queries import theme_overview

    with _read(db) as con:
        frame = theme_overview(con, _filters(region, area, force, since, until, doc_type))
    _emit(
        frame,
        as_json,
        "Themes",
        [
            "theme_id",
            "label",
            "status",
            "n_documents",
            "n_areas",
            "n_regions",
            "n_passages",
            "prevalence",
            "ci_low",
            "ci_high",
        ]
        if not frame.empty
        else None,
    )


@query_app.command("quotes")
def query_quotes(
    theme: Annotated[int, typer.Option(help="Theme id.")],
    db: DbOption = None,
    region: RegionOption = None,
    area: AreaOption = None,
    force: ForceOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    doc_type: TypeOption = None,
    limit: Annotated[int, typer.Option(help="How many quotes.")] = 10,
    as_json: JsonOption = False,
) -> None:
    """The passages behind a theme, with document, area, region, date and speaker."""
    from pipeline.queries import quotes

    with _read(db) as con:
        frame = quotes(con, theme, _filters(region, area, force, since, until, doc_type), limit)
    _emit(
        frame,
        as_json,
        f"Quotes for theme {theme}",
        ["text", "title", "area", "region", "review_date", "speaker"],
    )


@query_app.command("trends")
def query_trends(
    theme: Annotated[int, typer.Option(help="Theme id.")],
    by: Annotated[str | None, typer.Option(help="Split by region, area or force.")] = None,
    period: Annotated[str, typer.Option(help="month, quarter or year.")] = "year",
    db: DbOption = None,
    region: RegionOption = None,
    area: AreaOption = None,
    force: ForceOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    doc_type: TypeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Reviews raising a theme per period (and place), with Wilson intervals."""
    from pipeline.queries import theme_trend

    if by not in (None, "region", "area", "force"):
        raise typer.BadParameter("use region, area or force", param_hint="--by")
    if period not in ("month", "quarter", "year"):
        raise typer.BadParameter("use month, quarter or year", param_hint="--period")
    with _read(db) as con:
        frame = theme_trend(
            con, theme, _filters(region, area, force, since, until, doc_type), by, period
        )
    _emit(frame, as_json, f"Trend for theme {theme}")


@query_app.command("matrix")
def query_matrix(
    by: Annotated[str, typer.Option(help="Rows: area or review.")] = "area",
    db: DbOption = None,
    region: RegionOption = None,
    area: AreaOption = None,
    force: ForceOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    doc_type: TypeOption = None,
    as_json: JsonOption = False,
) -> None:
    """The framework matrix: areas (or reviews) x themes, passages and the best quote per cell."""
    from pipeline.queries import framework_matrix

    if by not in ("area", "review"):
        raise typer.BadParameter("use area or review", param_hint="--by")
    with _read(db) as con:
        frame = framework_matrix(con, _filters(region, area, force, since, until, doc_type), by)
    _emit(frame, as_json, "Framework matrix", ["row_label", "theme_id", "label", "n_passages"])


@app.command()
def search(
    text: Annotated[str, typer.Argument(help="What to look for.")],
    semantic: Annotated[bool, typer.Option(help="Search by meaning, not words.")] = False,
    db: DbOption = None,
    region: RegionOption = None,
    area: AreaOption = None,
    force: ForceOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    doc_type: TypeOption = None,
    limit: Annotated[int, typer.Option(help="How many results.")] = 10,
    as_json: JsonOption = False,
) -> None:
    """Search passages by keyword (BM25) or by meaning (--semantic), with provenance."""
    from pipeline.queries import search_keyword, search_semantic

    filters = _filters(region, area, force, since, until, doc_type)
    with _read(db) as con:
        if semantic:
            from pipeline.embed.models import load_embedder

            embedder = load_embedder(_settings(db).embedding_model)
            frame = search_semantic(con, text, embedder, filters, limit)
        else:
            try:
                frame = search_keyword(con, text, filters, limit)
            except FindingsError as exc:
                err.print(f"[red]{exc}")
                raise typer.Exit(1) from exc
    _emit(
        frame,
        as_json,
        f"Search: {text}",
        ["score", "text", "title", "area", "review_date", "theme_id"],
    )


@app.command()
def serve(
    cron: Annotated[str, typer.Option(help="When to refresh (cron, Europe/London).")] = "0 2 * * *",
    corpus: Annotated[str, typer.Option(help="Corpus folder.")] = "corpus",
    inbox: Annotated[str, typer.Option(help="Folder where new reviews arrive.")] = "corpus/inbox",
    port: Annotated[int, typer.Option(help="Port for the local Prefect server.")] = 4200,
    db: DbOption = None,
) -> None:
    """Serve the scheduled refresh on this machine (no Prefect infrastructure needed).

    Prefect's temporary in-process server cannot schedule, so unless PREFECT_API_URL points at
    a server already, a local one is started on 127.0.0.1 for as long as this command runs.
    """
    import os

    from pipeline.prefect_server import local_prefect_server

    settings = _settings(db)
    with local_prefect_server(port) if not os.environ.get("PREFECT_API_URL") else _nothing():
        from pipeline.flows import refresh_flow

        out.print(f"serving nightly-refresh ({cron}) over {corpus} and {inbox}; Ctrl-C stops")
        refresh_flow.serve(
            name="nightly-refresh",
            cron=cron,
            parameters={"corpus": corpus, "inbox": inbox, "db": str(settings.db)},
        )


@contextlib.contextmanager
def _nothing() -> Iterator[None]:
    yield


def _progress(*, disable: bool) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=disable,
    )


export_app = typer.Typer(help="Export findings: REFI-QDA for QDA tools, tables, a drafted report.")
app.add_typer(export_app, name="export")
import_app = typer.Typer(help="Bring work done elsewhere back in (a codebook from a QDA tool).")
app.add_typer(import_app, name="import")
OutFile = Annotated[Path, typer.Option("--out", help="File to write.")]
OutDir = Annotated[Path, typer.Option("--out", help="Folder to write the tables into.")]


def _exporting(action):  # noqa: ANN001, ANN202
    """Run an export, turning Findings errors into a one-line message and exit code 1."""
    try:
        return action()
    except (FindingsError, OSError) as exc:
        err.print(f"[red]{exc}")
        raise typer.Exit(1) from exc


@export_app.command("qdpx")
def export_qdpx(
    out: OutFile,
    db: DbOption = None,
    region: RegionOption = None,
    area: AreaOption = None,
    force: ForceOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    doc_type: TypeOption = None,
    as_json: JsonOption = False,
) -> None:
    """A REFI-QDA project (.qdpx) for NVivo, ATLAS.ti, MAXQDA or QualCoder."""
    from pipeline.exports.qdpx import write_qdpx
    from pipeline.themes.codebook import load_codebook

    filters = _filters(region, area, force, since, until, doc_type)
    book = load_codebook(_settings(db).codebook)
    with _read(db) as con:
        report = _exporting(lambda: write_qdpx(con, out, book, filters))
    if as_json:
        typer.echo(json.dumps(report.as_dict()))
    else:
        typer.echo(
            f"wrote {out}: {report.sources} sources, {report.codes} codes, "
            f"{report.selections} coded passages, {report.cases} cases"
        )


@export_app.command("codebook")
def export_codebook(out: OutFile, db: DbOption = None) -> None:
    """The codebook alone, as a REFI-QDA .qdc file."""
    from pipeline.exports.qdpx import write_codebook
    from pipeline.themes.codebook import load_codebook

    book = load_codebook(_settings(db).codebook)
    with _read(db) as con:
        codes = _exporting(lambda: write_codebook(con, out, book))
    typer.echo(f"wrote {out}: {codes} codes")


def _tables(fmt: str, out: Path, db: Path | None, filters: object) -> None:
    from pipeline.exports.tables import write_tables
    from pipeline.themes.codebook import load_codebook

    book = load_codebook(_settings(db).codebook)
    with _read(db) as con:
        written = _exporting(lambda: write_tables(con, out, book, fmt, filters))  # type: ignore[arg-type]
    for name, path in written.items():
        typer.echo(f"wrote {path} ({name})")


@export_app.command("csv")
def export_csv(
    out: OutDir,
    db: DbOption = None,
    region: RegionOption = None,
    area: AreaOption = None,
    force: ForceOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    doc_type: TypeOption = None,
) -> None:
    """Coded passages with provenance, themes, documents and counts, as CSV files."""
    _tables("csv", out, db, _filters(region, area, force, since, until, doc_type))


@export_app.command("parquet")
def export_parquet(
    out: OutDir,
    db: DbOption = None,
    region: RegionOption = None,
    area: AreaOption = None,
    force: ForceOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    doc_type: TypeOption = None,
) -> None:
    """The same tables as `export csv`, as Parquet files."""
    _tables("parquet", out, db, _filters(region, area, force, since, until, doc_type))


@export_app.command("report")
def export_report(
    out: Annotated[Path, typer.Option("--out", help="A .md, .html or .docx file.")],
    db: DbOption = None,
    region: RegionOption = None,
    area: AreaOption = None,
    force: ForceOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    doc_type: TypeOption = None,
    top: Annotated[int, typer.Option(help="How many headline themes.")] = 8,
    redact: Annotated[
        bool, typer.Option(help="Redact names, phone numbers and e-mails in quotes.")
    ] = True,
) -> None:
    """A drafted national findings report: coverage, headline themes with quotes, method."""
    from pipeline.exports.report import REPORT_FORMATS, build_report, write_report
    from pipeline.passages.redact import Redactor, load_redaction_nlp
    from pipeline.queries import place_names
    from pipeline.themes.codebook import load_codebook

    if out.suffix.lower() not in REPORT_FORMATS:
        err.print(f"[red]{out}: use a .md, .html or .docx file name")
        raise typer.Exit(2)
    settings = _settings(db)
    filters = _filters(region, area, force, since, until, doc_type)
    book = load_codebook(settings.codebook)
    with _read(db) as con:
        redactor = (
            Redactor(load_redaction_nlp(settings.spacy_model), place_names(con)) if redact else None
        )
        report = _exporting(
            lambda: build_report(
                con, book, filters, scope=filters.describe(), top=top, redactor=redactor
            )
        )
    _exporting(lambda: write_report(report, out))
    typer.echo(f"wrote {out}: {len(report.sections)} headline themes")


@import_app.command("codebook")
def import_codebook_command(
    path: Annotated[Path, typer.Argument(help="A .qdc codebook (or a .qdpx project).")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Read names, descriptions and hierarchy edited in a QDA tool back into the codebook."""
    from pipeline.exports.qdpx import import_codebook

    settings = _settings(db)
    with _read(db) as con:
        report = _exporting(lambda: import_codebook(con, path, settings.codebook))
    if as_json:
        typer.echo(json.dumps(report.as_dict()))
        return
    typer.echo(
        f"{settings.codebook}: {len(report.renamed)} renamed, {len(report.described)} "
        f"described, {len(report.moved)} moved"
    )
    for name in report.unmatched:
        typer.echo(f"not a Findings theme, left out: {name}")


# Last, so that `python -m pipeline.cli` sees every command registered above.
if __name__ == "__main__":
    app()
