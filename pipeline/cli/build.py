"""Commands that build the warehouse: ingest, embed, themes, run (and serve it), status."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table
from rich.text import Text

from pipeline.cli.console import (
    cell,
    edge,
    err,
    guard_logs,
    literal,
    out,
    print_json,
    printable,
    progress,
)
from pipeline.cli.options import (
    DbOption,
    DocType,
    JsonOption,
    Scope,
    readable_path,
    settings_for,
    writes_warehouse,
)
from pipeline.cli.watch import QuietOption, start_watching
from pipeline.errors import FindingsError

if TYPE_CHECKING:
    import duckdb

    from pipeline.storage.documents import StoredDocument, WithdrawnSource


def review_date(value: str | None) -> str | None:
    """A --date value checked as YYYY-MM or YYYY-MM-DD (a usage error otherwise)."""
    if value is None:
        return None
    if not re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", value):
        raise typer.BadParameter("use YYYY-MM or YYYY-MM-DD", param_hint="--date")
    try:
        dt.date.fromisoformat(value if len(value) == 10 else value + "-01")
    except ValueError as exc:
        raise typer.BadParameter(f"{value} is not a calendar date", param_hint="--date") from exc
    return value


def problem(kind: str, path: object, reason: object) -> Text:
    """One line about one file: 'error PATH: REASON', the path and reason shown as written.

    Print it with soft_wrap=True: a long path must stay on one line, not break at the terminal's
    width.
    """
    style = "red" if kind == "error" else "yellow"
    return Text.assemble((kind, style), " ", literal(f"{path}: {reason}", one_line=True))


def check_codebook(path: Path) -> None:
    """Refuse a bad codebook before Prefect starts: one line, not a logged flow failure."""
    from pipeline.themes.codebook import load_codebook

    load_codebook(path)


@writes_warehouse
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
    scope: Annotated[
        Scope | None,
        typer.Option(
            help="local (a locality review) or national (a national or thematic report, never "
            "counted as a review) for files that do not say; default: local unless the area "
            "names the country."
        ),
    ] = None,
    workers: Annotated[
        int, typer.Option(min=1, help="Read and segment files on this many processes.")
    ] = 1,
    dask_address: Annotated[
        str | None,
        typer.Option(help="Read and segment on an existing Dask cluster (tcp://scheduler:8786)."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Ingest documents (txt, md, docx, pdf, html) into the warehouse.

    Exit status 0 when every file was ingested or skipped as already there, 1 when some failed
    (the others are still ingested), 2 for usage errors.
    """
    from pipeline.ingest.files import discover_files
    from pipeline.ingest.ingester import Ingester
    from pipeline.ingest.parallel import preparing_on
    from pipeline.ingest.prepare import IngestOptions
    from pipeline.storage import open_warehouse

    settings = settings_for(db)
    options = IngestOptions(
        area=area,
        review_date=review_date(date),
        doc_type=doc_type,
        scope=scope.value if scope else None,
    )
    try:
        con = open_warehouse(settings.db)
    except (FindingsError, OSError) as exc:
        err.print(literal(f"cannot open the warehouse {settings.db}: {exc}", "red", one_line=True))
        raise typer.Exit(1) from exc
    with con, progress(disable=as_json) as bar, preparing_on(workers, dask_address) as (pool, n):
        total = sum(1 for _ in discover_files(p for p in paths if p.exists()))
        task = bar.add_task("loading the language pipeline", total=total)
        ingester = Ingester(con, settings, pool, n)
        bar.update(task, description="ingesting")

        def advance(path: Path, outcome: str) -> None:
            bar.update(
                task, advance=1, description=f"{outcome}: {printable(path.name, one_line=True)}"
            )

        report = ingester.ingest(paths, options, on_file=advance)
    if as_json:
        print_json(json.dumps(report.as_dict()))
    else:
        out.print(
            literal(
                f"added {report.added} documents ({report.passages} passages), "
                f"replaced {report.replaced}, updated {report.updated}, "
                f"skipped {report.skipped}, failed {len(report.errors)} in {report.seconds:.1f} s"
            ),
            soft_wrap=True,
        )
        for item in report.duplicates:
            out.print(
                problem("duplicate", item["path"], f"same text as {item['duplicate_of']}"),
                soft_wrap=True,
            )
        for item in report.withdrawn:
            out.print(
                problem(
                    "withdrawn",
                    item["path"],
                    f"left out since {item['withdrawn_at'][:10]} "
                    "(`findings withdraw --undo` brings it back)",
                ),
                soft_wrap=True,
            )
        for item in report.warnings:
            out.print(problem("warning", item["path"], item["reason"]), soft_wrap=True)
        for item in report.errors:
            out.print(problem("error", item["path"], item["reason"]), soft_wrap=True)
    if report.errors:
        raise typer.Exit(1)


def with_statuses(path: Path, themes: list[dict[str, object]]) -> None:
    """Give each theme of the status summary its status as `query themes` computes it.

    (New, emerging, spreading, stable or fading, from its trend and spread over the periods; the
    themes table's own `status` is only the lifecycle, "new" throughout a first run.) A theme no
    locality review raises has no status: only reviews make a trend.
    """
    from pipeline.queries import theme_overview
    from pipeline.storage import connect

    if not themes:
        return
    with connect(path, read_only=True) as con:
        overview = theme_overview(con)
    statuses = (
        dict(zip(overview["theme_id"], overview["status"], strict=True))
        if not overview.empty
        else {}
    )
    for theme in themes:
        theme["status"] = statuses.get(theme["theme_id"])


def status(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Counts of documents, passages, places and errors; coverage; the national themes."""
    from pipeline.queries.runs import warehouse_status

    settings = settings_for(db)
    if not settings.db.exists():
        err.print(
            literal(f"no warehouse at {settings.db}: run `findings ingest PATH` first", "red"),
            soft_wrap=True,
        )
        raise typer.Exit(1)
    path = readable_path(settings, prefer_warehouse=True)
    summary = warehouse_status(path)
    with_statuses(path, summary["themes"])  # type: ignore[arg-type]
    if as_json:
        print_json(json.dumps(summary, default=str))
        return
    counts = summary["counts"]
    coverage = summary["coverage"]
    out.print(
        Text.assemble(
            (str(counts["documents"]), "bold"),
            f" locality review{'s' if counts['documents'] != 1 else ''}, "
            f"{counts['national_documents']} national document"
            f"{'s' if counts['national_documents'] != 1 else ''}, ",
            (str(counts["passages"]), "bold"),
            f" passages, {counts['places']} gazetteer places, {counts['errors']} errors, "
            f"{counts['warnings']} warnings",
        )
    )
    dated = (
        f"reviews from {coverage['first_review']} to {coverage['last_review']}"
        if coverage["first_review"] is not None
        else "no review dates"
    )
    areas, regions = coverage["areas"], coverage["regions"]
    out.print(
        literal(
            f"{areas} area{'s' if areas != 1 else ''} in {regions} region"
            f"{'s' if regions != 1 else ''}, {dated}"
        )
    )
    table = Table("region", "documents", "areas", "passages", title="Coverage by region")
    for row in summary["by_region"]:
        table.add_row(*[cell(row[key]) for key in ("region", "documents", "areas", "passages")])
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
            title=literal(
                f"National themes (run {run_info['run_id']}, ranked by reviews raising them)"
            ),
        )
        for row in summary["themes"]:
            themes_table.add_row(
                cell(row["label"]).append(f" #{row['theme_id']}", style="dim"),
                *[
                    cell(row[key])
                    for key in ("status", "documents", "areas", "regions", "passages")
                ],
            )
        out.print(themes_table)
    if summary["files_gone"]:
        gone = Table("title", "area", "file", title="Counted, but their files are gone")
        for row in summary["files_gone"]:
            gone.add_row(*[cell(row[key]) for key in ("title", "area", "source_path")])
        out.print(gone)
    if summary["withdrawn"]:
        withdrawn = Table("title", "file", "withdrawn", "reason", title="Withdrawn")
        for row in summary["withdrawn"]:
            withdrawn.add_row(
                *[cell(row[key]) for key in ("title", "source_path", "withdrawn_at", "reason")]
            )
        out.print(withdrawn)
    if summary["recent_errors"]:
        errors = Table("path", "severity", "reason", title="Recent ingest problems")
        for row in summary["recent_errors"]:
            errors.add_row(*[cell(row[key]) for key in ("path", "severity", "reason")])
        out.print(errors)


@writes_warehouse
def withdraw(
    paths: Annotated[
        list[Path], typer.Argument(help="The files of the reviews to withdraw (gone ones too).")
    ],
    reason: Annotated[
        str | None, typer.Option(help="Why, kept with the withdrawal for audit.")
    ] = None,
    undo: Annotated[
        bool, typer.Option("--undo", help="Bring withdrawn files back: the next run reads them.")
    ] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Withdraw reviews from every count, or bring them back with --undo.

    A withdrawn review leaves the warehouse (its text and provenance stay in its version
    history) and later runs leave its file out while it is still in the corpus folder. The
    themes and the viewer change at the next `findings run`. Exit status 1 when a path names no
    review (the others are still withdrawn).
    """
    from pipeline.storage import open_warehouse
    from pipeline.storage.documents import restore_source
    from pipeline.storage.documents import withdraw_document as withdraw_one

    settings = settings_for(db)
    if not settings.db.exists():
        err.print(literal(f"no warehouse at {settings.db}", "red", one_line=True), soft_wrap=True)
        raise typer.Exit(1)
    done: list[dict[str, str | None]] = []
    missing: list[dict[str, str]] = []
    with open_warehouse(settings.db) as con:
        for path in paths:
            found = _withdrawn_named(con, path) if undo else _review_named(con, path)
            if isinstance(found, str):
                missing.append({"path": str(path), "reason": found})
            elif undo:
                restore_source(con, found.source_path)
                done.append({"path": found.source_path, "title": found.title})
            else:
                withdrawn = withdraw_one(con, found, found.source_path or "", reason)
                done.append({"path": withdrawn.source_path, "title": withdrawn.title})
    if as_json:
        print_json(json.dumps({"withdrawn" if not undo else "restored": done, "errors": missing}))
    else:
        for item in done:
            what = "brought back" if undo else "withdrawn"
            title = f" ({item['title']})" if item["title"] else ""
            out.print(literal(f"{what}: {item['path']}{title}"), soft_wrap=True)
        if done:
            out.print(
                literal(
                    "the themes and the viewer change at the next `findings run`"
                    + (" (it reads these files again)" if undo else "")
                ),
                soft_wrap=True,
            )
        for item in missing:
            err.print(problem("error", item["path"], item["reason"]), soft_wrap=True)
    if missing:
        raise typer.Exit(1)


def _ending(path: Path) -> str:
    return path.as_posix().removeprefix("./").lstrip("/")


def _review_named(con: duckdb.DuckDBPyConnection, path: Path) -> StoredDocument | str:
    """The review a person names for withdrawal, or why none can be.

    A path is the file a run read. One that is not here may name it from another folder
    ("review.pdf" for corpus/review.pdf) when exactly one review's source ends so; a file that
    is here is only ever itself.
    """
    from pipeline.ingest.ingester import source_path_of
    from pipeline.storage.documents import document_by_source_path, source_paths_ending

    if path.is_dir():
        return "a folder: name the review files in it"
    stored = document_by_source_path(con, source_path_of(path))
    sources = [] if stored or path.exists() else source_paths_ending(con, _ending(path))
    if len(sources) == 1:
        stored = document_by_source_path(con, sources[0])
    elif sources:
        return f"{len(sources)} reviews come from files of that name; give the path: " + ", ".join(
            sources
        )
    if stored is not None:
        return stored
    if (withdrawn := _withdrawal_of(con, path)) is not None:
        return f"already withdrawn on {withdrawn.withdrawn_at:%Y-%m-%d %H:%M}"
    return "no review in the warehouse comes from this file"


def _withdrawal_of(con: duckdb.DuckDBPyConnection, path: Path) -> WithdrawnSource | None:
    """The withdrawal of the file at `path`, or of the one withdrawn source it names."""
    from pipeline.ingest.ingester import source_path_of
    from pipeline.storage.documents import withdrawn_source, withdrawn_sources

    if (exact := withdrawn_source(con, source_path_of(path))) is not None or path.exists():
        return exact
    ending = "/" + _ending(path)
    named = [w for w in withdrawn_sources(con) if w.source_path.endswith(ending)]
    return named[0] if len(named) == 1 else None


def _withdrawn_named(con: duckdb.DuckDBPyConnection, path: Path) -> WithdrawnSource | str:
    """The withdrawn source a person names to bring back, or why it cannot be."""
    withdrawn = _withdrawal_of(con, path)
    if withdrawn is None:
        return "not withdrawn (or several withdrawn files end so: give the path)"
    if not Path(withdrawn.source_path).is_file():
        # Brought back, a review whose file is gone would be in no list at all.
        return f"its file is gone: put it back at {withdrawn.source_path} first"
    return withdrawn


@writes_warehouse
def embed(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Embed every passage that has no vector yet for the configured model (cached)."""
    from pipeline.embed.missing import embed_passages
    from pipeline.embed.models import load_embedder
    from pipeline.storage import open_warehouse

    settings = settings_for(db)
    with open_warehouse(settings.db) as con, progress(disable=as_json) as bar:
        task = bar.add_task("loading the embedding model", total=None)
        embedder = load_embedder(settings.embedding_model)
        bar.update(task, description="embedding")

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        report = embed_passages(con, embedder, settings.embed_batch_size, on_batch=advance)
    if as_json:
        print_json(json.dumps(report.as_dict()))
    else:
        out.print(
            literal(
                f"embedded {report.embedded} passages ({report.cached} cached) with "
                f"{report.model} at {report.passages_per_s:.1f} passages/s"
            )
        )


@writes_warehouse  # before Prefect starts: a refusal is one line, not a failed flow
def themes(
    db: DbOption = None,
    refit: Annotated[bool, typer.Option(help="Refit from scratch instead of updating.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Discover or update themes over the embedded passages and list them."""
    from pipeline.cli.prefect_server import TemporaryApi

    settings = settings_for(db)
    check_codebook(settings.codebook)
    api = TemporaryApi()  # Prefect's ephemeral mode, as for `findings run`
    from pipeline.flows import themes_flow
    from pipeline.queries import theme_summary
    from pipeline.storage import connect

    guard_logs()  # Prefect set up its own log handlers on import
    api.wait()
    report = themes_flow(db=str(settings.db), refit=refit)
    report.pop("new_labels", None)  # the flow's note for the refresh artifact
    with connect(settings.db, read_only=True) as con:
        listed = json.loads(theme_summary(con).to_json(orient="records"))
    for theme in listed:
        theme["keywords"] = theme["keywords"] or []
    if as_json:
        print_json(json.dumps(report | {"theme_list": listed}))
        return
    table = Table(
        "id", "theme", "status", "heading", "passages", title=literal(f"Themes ({report['mode']})")
    )
    for theme in listed:
        table.add_row(
            *[cell(theme[key]) for key in ("theme_id", "label", "status", "heading", "n_passages")]
        )
    out.print(table)
    out.print(
        literal(f"unassigned: {report['outlier_share']:.1%} of {report['passages']} passages")
    )


@writes_warehouse  # held across the flow, which takes it again (re-entrant)
def run(
    corpus: Annotated[
        Path | None, typer.Option(help="Folder of reviews to ingest (default: corpus/).")
    ] = None,
    db: DbOption = None,
    refit: Annotated[bool, typer.Option(help="Refit themes from scratch.")] = False,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            help="Read and segment files on this many processes, and embed on a local Dask "
            "cluster of as many.",
        ),
    ] = 1,
    dask_address: Annotated[
        str | None,
        typer.Option(
            help="Read, segment and embed on an existing Dask cluster (tcp://scheduler:8786)."
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Ingest a folder (and its inbox/), embed, update themes and publish: the refresh flow."""
    from pipeline import progress as stage_progress
    from pipeline.cli.prefect_server import TemporaryApi
    from pipeline.cli.stages import quiet_libraries, stage_display

    settings = settings_for(db)
    folder = corpus or settings.corpus
    if not folder.is_dir():
        raise typer.BadParameter(f"{printable(str(folder))} is not a folder", param_hint="--corpus")
    check_codebook(settings.codebook)
    if not edge.verbose:
        quiet_libraries()
    # Prefect's ephemeral mode: a temporary local API, nothing to start by hand; it boots while
    # the stages are imported.
    api = TemporaryApi()
    from pipeline.flows import refresh_flow

    guard_logs()  # Prefect set up its own log handlers on import
    if not edge.verbose:
        quiet_libraries()  # and its loggers, now they exist
    bars, display = stage_display(disable=as_json)
    api.wait()
    with bars, stage_progress.reporting_to(display):
        summary = refresh_flow(
            corpus=str(folder),
            inbox=str(folder / "inbox"),
            db=str(settings.db),
            refit=refit,
            workers=workers,
            dask_address=dask_address,
        )
    errors = summary.pop("errors")
    warnings = summary.pop("warnings", [])
    if as_json:
        print_json(json.dumps(summary | {"errors": errors, "warnings": warnings}))
    else:
        census = summary["census"]
        tables = (
            f" + {census['table_rows']} in data tables (figures: searched, not themed)"
            if census["table_rows"]
            else ""
        )
        out.print(
            literal(
                f"run {summary['run_id']}: {census['passages']} passages = "
                f"{summary['passages_in_themes']} practitioners' + {census['questions']} "
                f"interviewers' questions (context, not evidence){tables}; "
                f"{summary['themes']} themes, {summary['outlier_share']:.1%} of passages in none"
            ),
        )
        # What ingest noticed and kept (no date, an unknown area, a manifest row to check).
        for item in warnings:
            out.print(problem("warning", item["path"], item["reason"]), soft_wrap=True)
        for item in errors:
            out.print(problem("error", item["path"], item["reason"]), soft_wrap=True)
    if errors:
        raise typer.Exit(1)


def serve(
    cron: Annotated[str, typer.Option(help="When to refresh (cron, Europe/London).")] = "0 2 * * *",
    corpus: Annotated[str, typer.Option(help="Corpus folder.")] = "corpus",
    inbox: Annotated[str, typer.Option(help="Folder where new reviews arrive.")] = "corpus/inbox",
    port: Annotated[int, typer.Option(help="Port for the local Prefect server.")] = 4200,
    quiet_s: QuietOption = 10.0,
    db: DbOption = None,
) -> None:
    """Serve the refresh on this machine: when reviews arrive in the inbox, and nightly.

    New files in the inbox start a refresh once they have settled (one run per batch); the
    cron schedule stays as a fallback. Prefect's temporary in-process server cannot schedule,
    so unless PREFECT_API_URL points at a server already, a local one is started on 127.0.0.1
    for as long as this command runs.
    """
    from pipeline.cli.prefect_server import local_prefect_server

    settings = settings_for(db)
    server = (
        local_prefect_server(port)
        if not os.environ.get("PREFECT_API_URL")
        else contextlib.nullcontext()
    )
    # The runner looks for runs to start every 10 s by default: most of a minute's budget from
    # a review landing to its refresh being published.
    os.environ.setdefault("PREFECT_RUNNER_POLL_FREQUENCY", "2")
    with server:
        from pipeline.flows import arrival_trigger, refresh_flow

        stop = start_watching(Path(inbox), quiet_s)
        out.print(
            literal(
                f"serving refresh over {corpus} and {inbox}: when reviews arrive in the inbox "
                f"and on schedule ({cron}); Ctrl-C stops"
            ),
            soft_wrap=True,
        )
        try:
            refresh_flow.serve(
                name="nightly-refresh",
                cron=cron,
                triggers=[arrival_trigger()],
                limit=1,  # one refresh at a time: each would wait for the other's lock anyway
                parameters={"corpus": corpus, "inbox": inbox, "db": str(settings.db)},
            )
        finally:
            stop.set()
