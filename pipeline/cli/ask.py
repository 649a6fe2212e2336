"""Commands that ask the warehouse: `query themes|quotes|trends|compare|matrix`, `search`, `show`.

Themes are named by label and id ("Fake Xanax bars #2"), and a reader may name one either way
(`--theme xanax`). Tables are laid out to read at 80 columns: prose wraps, numbers never do.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.text import Text

from pipeline.cli.console import (
    Shown,
    column,
    emit,
    err,
    lift,
    literal,
    out,
    p_value,
    percent_interval,
    share,
    theme_name,
)
from pipeline.cli.options import (
    DbOption,
    JsonOption,
    filter_options,
    open_readable,
    readable_path,
    settings_for,
)
from pipeline.cli.redaction import RedactOption, record_unredacted, redacted, unnamed
from pipeline.review_dates import shown_review_date
from pipeline.search_modes import Questions, SearchMode

if TYPE_CHECKING:
    from collections.abc import Mapping

    import duckdb
    import pandas as pd

    from pipeline.queries import Filters
    from pipeline.queries.catalogue import ThemeName
    from pipeline.queries.evidence import PassageView
    from pipeline.settings import Settings

ThemeOption = Annotated[
    str, typer.Option(help="Theme id, label or the start of a label (any case): 2, 'fake xanax'.")
]

# How much of a passage id a table shows: `findings show` takes it back (as the report prints it).
SHORT_ID = 12

THEME = Shown("theme", lambda row: theme_name(row["label"], row["theme_id"]), wrap=True)
THEME_COLUMNS = [
    THEME,
    column("status"),
    # The overview gives a theme's reviews and their share of all; all is their ratio.
    Shown(
        "reviews",
        lambda row: share(row["n_documents"], round(row["n_documents"] / row["prevalence"])),  # type: ignore[operator]
    ),
    Shown(
        "share (95% CI)",
        lambda row: percent_interval(row["prevalence"], row["ci_low"], row["ci_high"]),
    ),
    column("n_areas", "areas"),
    column("n_regions", "regions"),
    column("n_passages", "passages"),
]


def where_from(row: Mapping[str, object]) -> Text:
    """A quote's source on a few short lines: title, place, date, speaker, passage id."""
    import pandas as pd

    def known(key: str) -> object | None:
        value = row.get(key)
        return None if value is None or pd.isna(value) else value  # type: ignore[call-overload]

    place = ", ".join(str(v) for v in (known("area"), known("region")) if v is not None)
    date = shown_review_date(known("review_date"), known("review_date_precision"), iso=True)
    lines = [
        known("title"),
        known("kind"),
        place or None,
        date,
        known("speaker"),
        f"passage {str(row['passage_id'])[:SHORT_ID]}" if known("passage_id") else None,
    ]
    return literal("\n".join(str(line) for line in lines if line is not None))


QUOTE = Shown("quote", lambda row: row["text"], wrap=True, ratio=3)
SOURCE = Shown("from", where_from, wrap=True, ratio=2)


def with_source_kind(frame: pd.DataFrame) -> pd.DataFrame:
    """Quotes with `kind`: blank for a locality review, else which kind of national source."""
    from pipeline.queries import source_kind

    if frame.empty or "scope" not in frame:
        return frame
    kinds = [source_kind(s, m) for s, m in zip(frame["scope"], frame["via_mention"], strict=True)]
    return frame.assign(kind=kinds)


def named_theme(con: duckdb.DuckDBPyConnection, asked: str) -> ThemeName:
    """The theme a `--theme` value names (an id, a label or the start of one)."""
    from pipeline.queries.catalogue import find_theme

    return find_theme(con, asked)


def shown_theme(con: duckdb.DuckDBPyConnection, asked: str, settings: Settings) -> ThemeName:
    """The theme a read command shows for `--theme`: where the codebook merged it, if it did.

    A merged theme has no passages of its own after the next run: its quotes and trend are its
    target's, and the command says so on stderr.
    """
    from pipeline.queries.catalogue import ThemeLookupError, find_theme
    from pipeline.themes.codebook import load_codebook

    named = find_theme(con, asked)
    target = load_codebook(settings.codebook).merge_target(named.theme_id)
    if target == named.theme_id:
        return named
    try:
        into = find_theme(con, str(target))
    except ThemeLookupError:
        return named
    err.print(
        literal(
            f"theme #{named.theme_id} ({named.label}) is merged into #{into.theme_id} "
            f"({into.label}) in the codebook: showing #{into.theme_id}",
            "yellow",
        ),
        soft_wrap=True,
    )
    return into


@filter_options
def query_themes(db: DbOption = None, *, filters: Filters, as_json: JsonOption = False) -> None:
    """Themes ranked by the reviews raising them, with prevalence and status."""
    from pipeline.queries import coverage, latest_run_id, theme_overview

    with open_readable(settings_for(db)) as con:
        frame = theme_overview(con, filters)
        # Only for an empty ranking (then counted once more): say why, when reviews are missing.
        seen = coverage(con, filters) if frame.empty and not as_json else None
        never_run = frame.empty and latest_run_id(con) is None
    emit(frame, as_json, "Themes", THEME_COLUMNS if not frame.empty else None)
    if never_run and not as_json:
        err.print(
            literal("No theme run yet: `findings run` finds the themes of what was ingested."),
            soft_wrap=True,
        )
    elif seen is not None and seen.reviews == 0:
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
    theme: ThemeOption,
    db: DbOption = None,
    *,
    filters: Filters,
    limit: Annotated[int, typer.Option(min=1, help="How many quotes.")] = 10,
    as_json: JsonOption = False,
    redact: RedactOption = True,
) -> None:
    """The passages behind a theme, with document, area, region, date and speaker."""
    from pipeline.queries import quotes

    settings = settings_for(db)
    with open_readable(settings) as con:
        named = shown_theme(con, theme, settings)
        frame = quotes(con, named.theme_id, filters, limit)
        if redact:
            frame = unnamed(frame.assign(text=redacted(con, settings, frame["text"].tolist())))
    if not redact:
        record_unredacted(
            settings, f"findings query quotes --theme {named} ({filters.describe()}): "
            f"{len(frame)} quotes"
        )  # fmt: skip
    if as_json:
        emit(with_source_kind(frame).assign(theme_id=named.theme_id, label=named.label), True, "")
        return
    emit(with_source_kind(frame), False, f"Quotes for {named}", [QUOTE, SOURCE])


TREND_COLUMNS = [
    column("period"),
    Shown("reviews", lambda row: share(row["raising"], row["documents"])),
    Shown(
        "share (95% CI)",
        lambda row: percent_interval(row["prevalence"], row["ci_low"], row["ci_high"]),
    ),
]


@filter_options
def query_trends(
    theme: ThemeOption,
    by: Annotated[str | None, typer.Option(help="Split by region, area or force.")] = None,
    period: Annotated[str, typer.Option(help="month, quarter or year.")] = "year",
    db: DbOption = None,
    *,
    filters: Filters,
    as_json: JsonOption = False,
) -> None:
    """Reviews raising a theme per period (and place), with Wilson intervals."""
    from pipeline.queries import LEVEL_COLUMNS, theme_trend

    if by not in (None, "region", "area", "force"):
        raise typer.BadParameter("use region, area or force", param_hint="--by")
    if period not in ("month", "quarter", "year"):
        raise typer.BadParameter("use month, quarter or year", param_hint="--period")
    settings = settings_for(db)
    with open_readable(settings) as con:
        named = shown_theme(con, theme, settings)
        frame = theme_trend(con, named.theme_id, filters, by, period)  # type: ignore[arg-type]
    if as_json:
        emit(frame.assign(theme_id=named.theme_id, label=named.label), True, "")
        return
    place = [] if by is None else [column(LEVEL_COLUMNS[by], by, wrap=True)]
    emit(frame, False, f"Trend for {named}", [*place, *TREND_COLUMNS])


# A place with this many reviews or fewer cannot make any theme significant against the rest.
FEW_REVIEWS = 2


def place_asked(filters: Filters) -> tuple[str, str]:
    """The one place `--region`, `--area` or `--force` names: its level and its name.

    The filter options have already matched it to a place some locality review has.
    """
    asked = [
        (level, value)
        for level, value in (
            ("region", filters.region),
            ("area", filters.area),
            ("police_force", filters.police_force),
        )
        if value is not None
    ]
    if len(asked) != 1:
        raise typer.BadParameter(
            "name one place to compare: --region, --area or --force", param_hint="--region"
        )
    return asked[0]


COMPARE_COLUMNS = [
    THEME,
    Shown("here", lambda row: share(row["in_place"], row["place_documents"])),
    Shown("elsewhere", lambda row: share(row["elsewhere"], row["elsewhere_documents"])),
    Shown("lift", lambda row: lift(row["lift"])),
    Shown("Fisher p", lambda row: p_value(row["p_value"])),
]


@filter_options
def query_compare(db: DbOption = None, *, filters: Filters, as_json: JsonOption = False) -> None:
    """One place against the rest, theme by theme: reviews k/n there and elsewhere, lift, p.

    Name the place with --region, --area or --force; --since, --until and --type narrow both
    sides. p is Fisher's exact test (two-sided), as on the viewer's Regions page.
    """
    from pipeline.queries import compare_place

    with open_readable(settings_for(db)) as con:
        level, place = place_asked(filters)
        frame = compare_place(con, level, place, filters)  # type: ignore[arg-type]
    reviews = int(frame["place_documents"].iloc[0]) if not frame.empty else 0
    if as_json:
        emit(frame, True, "")
        return
    words = level.replace("_", " ")
    emit(frame, False, f"{place} ({words}) against the rest", COMPARE_COLUMNS if reviews else None)
    if reviews <= FEW_REVIEWS:
        err.print(
            literal(
                f"warning: {place} has {reviews} review{'' if reviews == 1 else 's'} under these "
                "filters: nothing there can be significant, and a lift from so few means little.",
                "yellow",
            ),
            soft_wrap=True,
        )


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
        frame = framework_matrix(con, filters, by)  # type: ignore[arg-type]
    emit(
        frame,
        as_json,
        "Framework matrix",
        [
            column("row_label", by, wrap=True),
            THEME,
            column("n_documents", "reviews"),
            column("n_passages", "passages"),
        ],
    )


def search_source(labels: Mapping[int, str]) -> Shown:
    """A search hit's source, with the theme it is on by name."""

    def written(row: Mapping[str, object]) -> Text:
        source = where_from(row)
        theme = row.get("theme_id")
        if theme is not None and theme == theme:  # NaN: on no theme
            source.append("\n" + theme_name(labels.get(int(theme)), theme))  # type: ignore[call-overload]
        return source

    return Shown("from", written, wrap=True, ratio=2)


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
    redact: RedactOption = True,
) -> None:
    """Search passages by words and meaning at once (--mode keyword|semantic to pick one)."""
    if not text.strip():
        raise typer.BadParameter("give some words to search for", param_hint="TEXT")
    if semantic:
        mode = SearchMode.semantic
    settings = settings_for(db)
    path = readable_path(settings)  # a missing warehouse is said before any model loads
    model = None
    if mode != SearchMode.keyword:
        from pipeline.cli.warm import ModelLoad

        # Loading the model is most of a first search: start it now, beside the query layer.
        model = ModelLoad(settings.embedding_model)
    from pipeline.queries.catalogue import theme_names
    from pipeline.queries.search import passages_not_embedded, search_passages
    from pipeline.storage import connect

    with connect(path, read_only=True) as con:
        # The model is waited for only when the query is embedded, after the vectors are read.
        frame = search_passages(con, text, mode, model, filters, limit, questions)
        unseen = passages_not_embedded(con, model.name) if model is not None else 0
        labels = {name.theme_id: name.label for name in theme_names(con)}
        if redact:
            frame = unnamed(frame.assign(text=redacted(con, settings, frame["text"].tolist())))
    if unseen:
        # Not an error: what was ingested since the last run is found by its words only.
        err.print(
            Text.assemble(
                ("note: ", "yellow"),
                f"{unseen:,} passage{'s' if unseen != 1 else ''} ingested since the last run "
                "cannot be found by meaning yet (`findings run` embeds them)",
            ),
            soft_wrap=True,
        )
    if not redact:
        record_unredacted(
            settings, f"findings search {text!r} ({filters.describe()}): {len(frame)} passages"
        )
    if as_json:
        emit(with_source_kind(frame), True, "")
        return
    emit(
        with_source_kind(frame),
        False,
        f"Search: {text}",
        [column("score"), QUOTE, search_source(labels)],
    )


def missing(value: object) -> bool:
    """Whether a value is absent (None, or a NaN/NaT that stood in for one)."""
    return value is None or value != value


def fact(name: str, value: object) -> Text:
    """'Area:     Swansea, Wales' (or 'not recorded'), the value as written."""
    shown = "not recorded" if missing(value) or value == "" else str(value)
    return Text.assemble((f"{name + ':':<9} ", "bold"), literal(shown, one_line=True))


def print_passage(view: PassageView) -> None:
    """A passage, its provenance and theme, and its neighbours, as plain text."""
    place = ", ".join(str(v) for v in (view.area, view.region) if not missing(v))
    speaker = ", ".join(str(v) for v in (view.speaker, view.speaker_role) if not missing(v))
    date = shown_review_date(view.review_date, view.review_date_precision, iso=True)
    theme = (
        None
        if view.theme_id is None
        else f"{theme_name(view.theme_label, view.theme_id)} (probability {view.probability:.2f})"
    )
    kind = view.doc_type if view.scope != "national" else "national document"
    out.print(Text.assemble(("Passage ", "bold"), literal(view.passage_id)))
    out.print(fact("Document", f"{view.title} ({kind})" if kind else view.title))
    out.print(fact("Area", place))
    if not missing(view.police_force):
        out.print(fact("Force", view.police_force))
    out.print(fact("Date", date))
    out.print(fact("Speaker", speaker))
    out.print(fact("Section", view.section))
    out.print(fact("Theme", theme if theme is not None else "none in the latest run"))
    for neighbour in view.context:
        where = (
            "This passage"
            if neighbour.is_quote
            else ("Before" if neighbour.ordinal < view.ordinal else "After")
        )
        said_by = "" if missing(neighbour.speaker) else f", {neighbour.speaker}"
        out.print()
        out.print(
            Text.assemble(
                (where, "bold"),
                literal(f" (passage {neighbour.passage_id[:SHORT_ID]}{said_by})", one_line=True),
            )
        )
        out.print(literal(neighbour.text), style=None if neighbour.is_quote else "dim")


def show(
    passage: Annotated[
        str, typer.Argument(help="A passage id, or its first 12 characters (as a report prints).")
    ],
    db: DbOption = None,
    as_json: JsonOption = False,
    redact: RedactOption = True,
) -> None:
    """A passage with its document, area, date, speaker, theme and the passages around it."""
    import dataclasses
    import json

    from pipeline.cli.console import print_json
    from pipeline.queries.evidence import find_passage_id, passage_view

    settings = settings_for(db)
    with open_readable(settings) as con:
        view = passage_view(con, find_passage_id(con, passage))
        if redact:
            texts = redacted(con, settings, [view.text, *(n.text for n in view.context)])
            # Speakers by role only: a label is often a name the redactor never reads.
            view = dataclasses.replace(
                view,
                text=texts[0],
                speaker=None,
                context=[
                    dataclasses.replace(neighbour, text=shown, speaker=neighbour.speaker_role)
                    for neighbour, shown in zip(view.context, texts[1:], strict=True)
                ],
            )
    if not redact:
        record_unredacted(settings, f"findings show {view.passage_id}")
    if as_json:
        print_json(json.dumps(dataclasses.asdict(view), default=str))
        return
    print_passage(view)
