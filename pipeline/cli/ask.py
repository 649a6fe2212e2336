"""Commands that ask the warehouse: `query themes|quotes|trends|matrix` and `search`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from pipeline.cli.console import emit, err, literal
from pipeline.cli.options import DbOption, JsonOption, filter_options, open_readable, settings_for
from pipeline.search_modes import Questions, SearchMode

if TYPE_CHECKING:
    import pandas as pd

    from pipeline.queries import Filters

THEME_COLUMNS = [
    "theme_id", "label", "status", "n_documents", "n_areas", "n_regions", "n_passages",
    "prevalence", "ci_low", "ci_high",
]  # fmt: skip


def with_source_kind(frame: pd.DataFrame) -> pd.DataFrame:
    """Quotes with `kind`: blank for a locality review, else which kind of national source."""
    from pipeline.queries import source_kind

    if frame.empty or "scope" not in frame:
        return frame
    kinds = [source_kind(s, m) for s, m in zip(frame["scope"], frame["via_mention"], strict=True)]
    return frame.assign(kind=kinds)


def evidence_columns(frame: pd.DataFrame, columns: list[str]) -> list[str]:
    """A quote table's columns, with `kind` after the title when a national document is there.

    So that a reader never takes a national report for a review.
    """
    if "scope" in frame and (frame["scope"] == "national").any():
        at = columns.index("title") + 1
        return [*columns[:at], "kind", *columns[at:]]
    return columns


@filter_options
def query_themes(db: DbOption = None, *, filters: Filters, as_json: JsonOption = False) -> None:
    """Themes ranked by the reviews raising them, with prevalence and status."""
    from pipeline.queries import coverage, theme_overview

    with open_readable(settings_for(db)) as con:
        frame = theme_overview(con, filters)
        # Only for an empty ranking (then counted once more): say why, when reviews are missing.
        seen = coverage(con, filters) if frame.empty and not as_json else None
    emit(frame, as_json, "Themes", THEME_COLUMNS if not frame.empty else None)
    if seen is not None and seen.reviews == 0:
        # Only national documents (or nothing) under the filters.
        err.print(
            literal(
                f"No locality reviews under {filters.describe()}; "
                f"{seen.national_documents} national document(s) are quoted but never counted "
                "(`findings search TEXT` or `findings query quotes --theme N` shows them)."
            )
        )


@filter_options
def query_quotes(
    theme: Annotated[int, typer.Option(help="Theme id.")],
    db: DbOption = None,
    *,
    filters: Filters,
    limit: Annotated[int, typer.Option(min=1, help="How many quotes.")] = 10,
    as_json: JsonOption = False,
) -> None:
    """The passages behind a theme, with document, area, region, date and speaker."""
    from pipeline.queries import quotes

    with open_readable(settings_for(db)) as con:
        frame = quotes(con, theme, filters, limit)
    emit(
        with_source_kind(frame),
        as_json,
        f"Quotes for theme {theme}",
        evidence_columns(frame, ["text", "title", "area", "region", "review_date", "speaker"]),
    )


@filter_options
def query_trends(
    theme: Annotated[int, typer.Option(help="Theme id.")],
    by: Annotated[str | None, typer.Option(help="Split by region, area or force.")] = None,
    period: Annotated[str, typer.Option(help="month, quarter or year.")] = "year",
    db: DbOption = None,
    *,
    filters: Filters,
    as_json: JsonOption = False,
) -> None:
    """Reviews raising a theme per period (and place), with Wilson intervals."""
    from pipeline.queries import theme_trend

    if by not in (None, "region", "area", "force"):
        raise typer.BadParameter("use region, area or force", param_hint="--by")
    if period not in ("month", "quarter", "year"):
        raise typer.BadParameter("use month, quarter or year", param_hint="--period")
    with open_readable(settings_for(db)) as con:
        frame = theme_trend(con, theme, filters, by, period)
    emit(frame, as_json, f"Trend for theme {theme}")


@filter_options
def query_matrix(
    by: Annotated[str, typer.Option(help="Rows: area or review.")] = "area",
    db: DbOption = None,
    *,
    filters: Filters,
    as_json: JsonOption = False,
) -> None:
    """The framework matrix: areas (or reviews) x themes, passages and the best quote per cell."""
    from pipeline.queries import framework_matrix

    if by not in ("area", "review"):
        raise typer.BadParameter("use area or review", param_hint="--by")
    with open_readable(settings_for(db)) as con:
        frame = framework_matrix(con, filters, by)
    emit(frame, as_json, "Framework matrix", ["row_label", "theme_id", "label", "n_passages"])


@filter_options
def search(
    text: Annotated[str, typer.Argument(help="What to look for.")],
    mode: Annotated[
        SearchMode,
        typer.Option(help="hybrid: words and meaning fused; keyword: BM25; semantic: meaning."),
    ] = SearchMode.hybrid,
    semantic: Annotated[
        bool, typer.Option("--semantic", help="The same as --mode semantic.")
    ] = False,
    questions: Annotated[
        Questions,
        typer.Option(help="Interviewers' questions: after the answers, hidden, or ranked as any."),
    ] = Questions.last,
    db: DbOption = None,
    *,
    filters: Filters,
    limit: Annotated[int, typer.Option(min=1, help="How many results.")] = 10,
    as_json: JsonOption = False,
) -> None:
    """Search passages by words and meaning at once (--mode keyword|semantic to pick one)."""
    from pipeline.queries.search import search_passages

    if semantic:
        mode = SearchMode.semantic
    settings = settings_for(db)
    with open_readable(settings) as con:
        embedder = None
        if mode != SearchMode.keyword:
            from pipeline.embed.models import load_embedder

            embedder = load_embedder(settings.embedding_model)
        frame = search_passages(con, text, mode, embedder, filters, limit, questions)
    emit(
        with_source_kind(frame),
        as_json,
        f"Search: {text}",
        evidence_columns(frame, ["score", "text", "title", "area", "review_date", "theme_id"]),
    )
