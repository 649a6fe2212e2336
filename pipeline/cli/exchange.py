"""Commands that trade with other tools: `export qdpx|codebook|csv|parquet|report`, `import`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from pipeline.cli.console import err, literal
from pipeline.cli.console import out as stdout  # `out` is the --out option here
from pipeline.cli.options import DbOption, JsonOption, filter_options, open_readable, settings_for
from pipeline.cli.redaction import (
    RedactOption,
    record_codebook_change,
    record_export,
    record_unredacted,
)

if TYPE_CHECKING:
    from pipeline.queries import Filters


def say(line: str) -> None:
    """One line of a command's answer on stdout; paths and names in it are shown as written."""
    stdout.print(literal(line, one_line=True), soft_wrap=True)


OutFile = Annotated[Path, typer.Option("--out", help="File to write.")]
OutDir = Annotated[Path, typer.Option("--out", help="Folder to write the tables into.")]


@filter_options
def export_qdpx(
    out: OutFile, db: DbOption = None, *, filters: Filters, as_json: JsonOption = False
) -> None:
    """A REFI-QDA project (.qdpx) for NVivo, ATLAS.ti, MAXQDA or QualCoder.

    The machine's codings are one user's, each person's coding decisions their own, and memos
    are Notes.
    """
    from pipeline.access.codings import load_decisions
    from pipeline.access.memos import load_memos
    from pipeline.exports.qdpx import write_qdpx
    from pipeline.themes.codebook import load_codebook

    settings = settings_for(db)
    book = load_codebook(settings.codebook)
    decisions = load_decisions(settings.team_db)
    memos = load_memos(settings.team_db)
    # A project holds every document's text as written: recorded before it is written.
    record_export(settings, f"findings export qdpx --out {out} ({filters.describe()}), unredacted")
    with open_readable(settings) as con:
        report = write_qdpx(con, out, book, filters, decisions, memos)
    if as_json:
        typer.echo(json.dumps(report.as_dict()))
    else:
        say(
            f"wrote {out}: {report.sources} sources, {report.codes} codes, "
            f"{report.selections} coded passages, {report.cases} cases"
        )


def export_codebook(out: OutFile, db: DbOption = None) -> None:
    """The codebook alone, as a REFI-QDA .qdc file."""
    from pipeline.exports.qdpx import write_codebook
    from pipeline.themes.codebook import load_codebook

    settings = settings_for(db)
    book = load_codebook(settings.codebook)
    with open_readable(settings) as con:
        codes = write_codebook(con, out, book)
    say(f"wrote {out}: {codes} codes")


def write_tables(
    fmt: Literal["csv", "parquet"], out: Path, db: Path | None, filters: Filters, redact: bool
) -> None:
    """Write the export tables in `fmt` (passage text redacted unless not) and say which."""
    from pipeline.exports.tables import write_tables as write
    from pipeline.passages.redact import Redactor, load_redaction_nlp
    from pipeline.queries import coverage, place_names
    from pipeline.themes.codebook import load_codebook

    settings = settings_for(db)
    book = load_codebook(settings.codebook)
    if not redact:
        record_unredacted(
            settings, f"findings export {fmt} --out {out} ({filters.describe()}), unredacted"
        )
    with open_readable(settings) as con:
        redactor = (
            Redactor(load_redaction_nlp(settings.spacy_model), place_names(con)) if redact else None
        )
        written = write(con, out, book, fmt, filters, redactor)
        covered = coverage(con, filters)
    for name, path in written.items():
        say(f"wrote {path} ({name})")
    if not covered.reviews and not covered.national_documents:
        say(f"no documents match {filters.describe()}: the tables hold their columns and no rows")


@filter_options
def export_csv(
    out: OutDir, db: DbOption = None, *, filters: Filters, redact: RedactOption = True
) -> None:
    """Coded passages with provenance, themes, documents and counts, as CSV files."""
    write_tables("csv", out, db, filters, redact)


@filter_options
def export_parquet(
    out: OutDir, db: DbOption = None, *, filters: Filters, redact: RedactOption = True
) -> None:
    """The same tables as `export csv`, as Parquet files."""
    write_tables("parquet", out, db, filters, redact)


@filter_options
def export_report(
    out: Annotated[Path, typer.Option("--out", help="A .md, .html or .docx file.")],
    db: DbOption = None,
    *,
    filters: Filters,
    top: Annotated[int, typer.Option(min=1, help="How many headline themes.")] = 8,
    redact: RedactOption = True,
) -> None:
    """A drafted national findings report: coverage, headline themes with quotes, method."""
    from pipeline.access.memos import load_memos
    from pipeline.access.validation import agreement_statement
    from pipeline.exports.report import REPORT_FORMATS, build_report, write_report
    from pipeline.passages.redact import Redactor, load_redaction_nlp
    from pipeline.queries import place_names
    from pipeline.themes.codebook import load_codebook

    if out.suffix.lower() not in REPORT_FORMATS:
        refusal = literal(f"{out}: use a .md, .html or .docx file name", "red", one_line=True)
        err.print(refusal, soft_wrap=True)
        raise typer.Exit(2)
    settings = settings_for(db)
    book = load_codebook(settings.codebook)
    if not redact:
        record_unredacted(
            settings, f"findings export report --out {out} ({filters.describe()}), unredacted"
        )
    with open_readable(settings) as con:
        redactor = (
            Redactor(load_redaction_nlp(settings.spacy_model), place_names(con)) if redact else None
        )
        report = build_report(
            con,
            book,
            filters,
            scope=filters.describe(),
            top=top,
            redactor=redactor,
            memos=load_memos(settings.team_db),
            agreement=agreement_statement(settings.team_db),
        )
    write_report(report, out)
    say(f"wrote {out}: {len(report.sections)} headline themes")


def import_codebook(
    path: Annotated[Path, typer.Argument(help="A .qdc codebook (or a .qdpx project).")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Read names, descriptions and hierarchy edited in a QDA tool back into the codebook."""
    from pipeline.exports.qdpx import import_codebook as read_codebook

    settings = settings_for(db)
    with open_readable(settings) as con:
        report = read_codebook(con, path, settings.codebook)
    record_codebook_change(
        settings,
        f"findings import codebook {path}: {len(report.renamed)} renamed, "
        f"{len(report.described)} described, {len(report.moved)} moved",
    )
    if as_json:
        typer.echo(json.dumps(report.as_dict()))
        return
    say(
        f"{settings.codebook}: {len(report.renamed)} renamed, {len(report.described)} "
        f"described, {len(report.moved)} moved"
    )
    for name in report.unmatched:
        say(f"not a Findings theme, left out: {name}")


def import_codings(
    path: Annotated[Path, typer.Argument(help="A .qdpx project coded in a QDA tool.")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Bring people's codings from a .qdpx coded elsewhere in as their coding decisions.

    Each coder keeps their name; the machine's own codings are left out. A passage a coder
    coded without the machine's theme is moved to their theme, otherwise their themes are added.
    """
    from pipeline.access.codings import save_decisions
    from pipeline.exports.qdpx import plan_coding_import
    from pipeline.themes.codebook import load_codebook

    settings = settings_for(db)
    with open_readable(settings) as con:
        plan = plan_coding_import(con, path, load_codebook(settings.codebook))
    for coder in plan.coders:
        save_decisions(
            settings.team_db,
            [
                (d.passage_id, d.theme_id, d.action, f"imported from {path.name}")
                for d in plan.decisions
                if d.coder == coder
            ],
            coder,
            via="import",
        )
    if as_json:
        typer.echo(json.dumps(plan.as_dict()))
        return
    say(
        f"{path}: {len(plan.decisions)} coding decisions by {len(plan.coders)} coders "
        f"({', '.join(plan.coders) or 'none'}); {plan.unplaced} codings matched no passage"
    )
    for name in plan.unknown_codes:
        say(f"not a Findings theme, left out: {name}")
