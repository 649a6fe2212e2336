"""A drafted national findings report, in the spirit of the unit's own synthesis reports.

Coverage first, then what is changing (each new, emerging, spreading or fading theme with the
figures and the test behind it), then one section per headline theme (the most raised themes and
every changing one: how many reviews and areas raise it, where it is concentrated, its reviews
year by year, and a few quotes with their area and date), then a method note that names the
model, the parameters and the run, so a reader can trace every figure, and an appendix of the
researchers' memos (as written, never as markup). Markdown, self-contained HTML, or DOCX; quotes
and memos are redacted unless told otherwise.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pandas as pd

from pipeline import queries
from pipeline.analysis.statistics import CHANGING, p_said, split_periods
from pipeline.errors import ReportError
from pipeline.passages.redact import Redactor
from pipeline.queries import Filters
from pipeline.themes.codebook import Codebook, apply_codebook

if TYPE_CHECKING:
    from pipeline.access.memos import Memo

STATUS_WORDS = {
    "new": "new in the latest run",
    "emerging": "emerging: raised by a growing share of reviews",
    "spreading": "spreading: raised in more regions than before",
    "fading": "fading: raised by a falling share of reviews",
    "stable": "stable over the period",
    "dormant": "dormant",
}
# Statuses that say something moved, in the order a reader wants them.


REPORT_FORMATS = (".md", ".html", ".htm", ".docx")

# What XML 1.0 forbids (C0 controls but tab, newline and carriage return) and what it
# discourages (DEL, C1 controls): junk from PDF extraction, never words. Removed.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Lone surrogates (no UTF-8 file can hold them) and U+FFFE/U+FFFF (not characters): replaced.
_NOT_A_CHARACTER = re.compile(r"[\ud800-\udfff\ufffe\uffff]")
# ASCII punctuation that can open a Markdown construct (CommonMark lets a backslash escape any).
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$&])")


@dataclass(frozen=True)
class Quote:
    """A passage quoted in the report, with what traces it back."""

    text: str
    title: str
    area: str | None
    region: str | None
    review_date: dt.date | None
    passage_id: str
    kind: str | None = None  # None for a locality review, else which kind of national source

    @property
    def attribution(self) -> str:
        """'Bedford, East of England, May 2016', or 'National report (its title), undated'."""
        when = f"{self.review_date:%B %Y}" if self.review_date else "undated"
        if self.kind:
            return f"{self.kind.capitalize()} ({self.title}), {when}"
        return ", ".join(p for p in (self.area, self.region, when) if p)


@dataclass(frozen=True)
class Concentration:
    """A region where a theme is raised more often than in the rest of the country."""

    region: str
    raising: int
    reviews: int
    lift: float
    p_value: float


@dataclass(frozen=True)
class ThemeSection:
    """One headline theme."""

    theme_id: int
    label: str
    heading: str | None
    description: str
    reviews: int
    total_reviews: int
    areas: int
    regions: int
    prevalence: float
    ci_low: float
    ci_high: float
    status: str
    trend_z: float
    trend_p: float
    per_year: list[int]
    concentrated: list[Concentration]
    quotes: list[Quote]
    # For a spreading theme: the regions raising it in the earlier and the recent years.
    regions_before: list[str] = field(default_factory=list)
    regions_since: list[str] = field(default_factory=list)

    @property
    def changing(self) -> bool:
        """New, emerging, spreading or fading."""
        return self.status in CHANGING


@dataclass(frozen=True)
class AppendixMemo:
    """A researcher's memo as the appendix prints it: about what, by whom, when, the text."""

    about: str
    author: str
    written: str
    text: str


@dataclass(frozen=True)
class Report:
    """Everything the renderers need; built once from the query layer."""

    scope: str
    coverage: queries.Coverage
    reviews_by_region: dict[str, int]
    periods: list[str]
    sections: list[ThemeSection]
    run: dict[str, object]
    redacted: bool
    generated: str
    method: list[str] = field(default_factory=list)
    national_documents: list[str] = field(default_factory=list)  # titles; quoted, not counted
    period_reviews: list[int] = field(default_factory=list)  # reviews in each of `periods`
    memos: list[AppendixMemo] = field(default_factory=list)

    @property
    def changing(self) -> list[ThemeSection]:
        """The sections whose status says something moved: new, emerging, spreading, fading."""
        moved = [s for s in self.sections if s.changing]
        return sorted(moved, key=lambda s: CHANGING.index(s.status))


def build_report(
    con: duckdb.DuckDBPyConnection,
    book: Codebook,
    filters: Filters = Filters(),
    *,
    scope: str = "all reviews",
    top: int = 8,
    quotes_per_theme: int = 3,
    redactor: Redactor | None = None,
    memos: Sequence[Memo] = (),
    agreement: str | None = None,
) -> Report:
    """Gather the report's figures and quotes (redacted when a redactor is given).

    `memos` (from the team store) make the appendix, redacted as the quotes are; `agreement`
    (`pipeline.access.validation.agreement_statement`) says in the method note how far people
    checked the coding.
    """

    def described(text: str) -> str:
        """A generated description quotes the passages: redacted as the quotes are."""
        return redactor.redact(text) if redactor is not None and text else text

    run = queries.latest_run(con)
    if run is None:
        raise ReportError("no theme run yet: run `findings run` before drafting a report")
    # One read of the documents under the filters: reviews and national documents apart.
    listed = queries.sources(con, filters)
    coverage = queries.coverage_of(listed)
    if coverage.reviews == 0:
        raise ReportError(f"no reviews match {scope}")
    docs = listed[listed["scope"] == "local"]
    national = listed.loc[listed["scope"] == "national", "title"].fillna("untitled").tolist()
    by_region = docs["region"].fillna("unknown").value_counts().sort_index().to_dict()
    years = pd.to_datetime(docs["review_date"].dropna()).dt.year.value_counts().sort_index()
    periods = [str(year) for year in years.index]
    early, recent = split_periods(periods)
    ranked = apply_codebook(queries.theme_overview(con, filters), book)
    # The headline list: the most raised themes, then every changing theme below them, so what
    # is rising or fading is never left out for being raised by fewer reviews as yet.
    below = ranked.iloc[top:]
    overview = pd.concat([ranked.head(top), below[below["status"].isin(CHANGING)]])
    catalogue = apply_codebook(queries.themes_catalogue(con), book).set_index("theme_id")
    comparisons = {
        region: queries.compare_place(con, "region", region, filters)
        for region in sorted(docs["region"].dropna().unique())
    }
    sections = []
    for row in overview.itertuples():
        theme_id = int(row.theme_id)
        concentrated = []
        for region, frame in comparisons.items():
            hit = frame[
                (frame["theme_id"] == theme_id) & frame["significant"] & (frame["lift"] > 1)
            ]
            for h in hit.itertuples():
                concentrated.append(
                    Concentration(region, h.in_place, h.place_documents, h.lift, h.p_value)
                )
        sections.append(
            ThemeSection(
                theme_id=theme_id,
                label=str(row.label),
                heading=row.heading if isinstance(row.heading, str) else None,
                description=described(str(catalogue.loc[theme_id, "description"] or "")),
                reviews=int(row.n_documents),
                total_reviews=coverage.reviews,
                areas=int(row.n_areas),
                regions=int(row.n_regions),
                prevalence=float(row.prevalence),
                ci_low=float(row.ci_low),
                ci_high=float(row.ci_high),
                status=str(row.status),
                trend_z=float(row.trend_z),
                trend_p=float(row.trend_p),
                per_year=list(row.sparkline),
                concentrated=sorted(concentrated, key=lambda c: c.p_value),
                quotes=_quotes(con, theme_id, filters, quotes_per_theme, redactor),
                **(
                    _spread(con, theme_id, filters, early, recent)
                    if row.status == "spreading"
                    else {}
                ),
            )
        )
    params = json.loads(run["params"]) if isinstance(run["params"], str) else run["params"] or {}
    method = [
        f"Documents were split into passages and each passage embedded with the sentence-"
        f"transformers model {run['model']}; themes were found by clustering the passages "
        f"(BERTopic: UMAP {params.get('n_components')} dimensions, {params.get('n_neighbors')} "
        f"neighbours; HDBSCAN minimum cluster size {params.get('min_cluster_size')}, minimum "
        f"samples {params.get('min_samples')}; seed {params.get('seed')}) in theme run "
        f"{run['run_id']}, finished {pd.Timestamp(run['finished_at']):%d %B %Y %H:%M} UTC, over "
        f"{run['n_passages']} passages ({float(run['outlier_share']):.1%} left unassigned).",
        *(
            [
                "Each passage was clustered as read in its place: its vector plus "
                f"{float(params.get('context_weight') or 0):g} of each neighbouring passage's in "
                "the same document, themes being HDBSCAN's finest clusters (leaf selection). A "
                "refit keeps what earlier runs grouped together where the passages allow "
                "(earlier themes as UMAP's target) and carries theme ids by shared passages."
            ]
            if params.get("selection") == "leaf"
            else []
        ),
        "Counts are of reviews: a theme is raised by a review when any of its passages is on "
        "that theme. Shares carry Wilson 95% intervals. A theme is emerging or fading when the "
        "Cochran–Armitage test over years finds a trend (p < 0.05, at least 3 reviews raising "
        "it); spreading when it is raised in at least two more regions in the recent half of "
        "the years than in the earlier half; new when the latest theme run found it first. A "
        "region is named where a theme is raised there significantly more often than in the "
        "rest of the country (Fisher's exact test, p < 0.05; never in a region with fewer than "
        "3 reviews).",
        *([agreement] if agreement else []),
        "Each quote ends with its passage id: `findings query quotes --theme N` (or the viewer) "
        "finds it with its document and surrounding passages.",
        f"Drafted by Findings {version('findings')}; a draft for analysts to check and edit, "
        "not a finished publication.",
    ]
    return Report(
        scope=scope,
        coverage=coverage,
        reviews_by_region={str(k): int(v) for k, v in by_region.items()},
        periods=periods,
        sections=sections,
        run=run,
        redacted=redactor is not None,
        generated=f"{pd.Timestamp(run['finished_at']):%d %B %Y}",
        method=method,
        national_documents=[str(title) for title in national],
        period_reviews=[int(n) for n in years],
        memos=_appendix_memos(con, memos, redactor),
    )


def _appendix_memos(
    con: duckdb.DuckDBPyConnection, memos: Sequence[Memo], redactor: Redactor | None
) -> list[AppendixMemo]:
    """The memos as the appendix names them: themes by label, documents by title."""
    from pipeline.queries import _sql
    from pipeline.queries.catalogue import theme_names

    if not memos:
        return []
    labels = {str(name.theme_id): str(name) for name in theme_names(con)}
    doc_ids = [m.target_id for m in memos if m.target.value == "document"]
    titles = {
        str(row["doc_id"]): str(row["title"] or row["doc_id"])
        for row in _sql.records(con, "memos", "document_titles", {"doc_ids": doc_ids})
    }
    about = {
        "theme": lambda i: f"Theme {labels.get(i, '#' + i)}",
        "document": lambda i: f"Document {titles.get(i, i[:12])}",
        "passage": lambda i: f"Passage {i[:12]}",
    }
    return [
        AppendixMemo(
            about=about[memo.target.value](memo.target_id),
            author=memo.author,
            written=f"{memo.written_at:%d %B %Y}",
            text=redactor.redact(memo.text) if redactor is not None else memo.text,
        )
        for memo in sorted(memos, key=lambda m: (m.written_at, m.memo_id))
    ]


def _spread(
    con: duckdb.DuckDBPyConnection,
    theme_id: int,
    filters: Filters,
    early: list[str],
    recent: list[str],
) -> dict[str, list[str]]:
    """The regions raising a theme in the earlier and the recent years (`regions_*` fields)."""
    trend = queries.theme_trend(con, theme_id, filters, by="region", period="year")
    raised = trend[(trend["raising"] > 0) & trend["region"].notna()]
    return {
        "regions_before": sorted(set(raised.loc[raised["period"].isin(early), "region"])),
        "regions_since": sorted(set(raised.loc[raised["period"].isin(recent), "region"])),
    }


def _quotes(
    con: duckdb.DuckDBPyConnection,
    theme_id: int,
    filters: Filters,
    wanted: int,
    redactor: Redactor | None,
) -> list[Quote]:
    """The most representative passages, from different areas where possible."""
    candidates = queries.quotes(con, theme_id, filters, limit=40)
    chosen, areas = [], set()
    for row in candidates.itertuples():
        if row.area in areas or len(row.text.split()) < 12:
            continue
        areas.add(row.area)
        chosen.append(row)
        if len(chosen) == wanted:
            break
    texts = [row.text for row in chosen]
    if redactor is not None:
        texts = redactor.redact_many(texts)
    return [
        Quote(
            text=" ".join(text.split()),
            title=_text_or_none(row.title) or "untitled",
            area=_text_or_none(row.area),
            region=_text_or_none(row.region),
            review_date=pd.Timestamp(row.review_date).date() if pd.notna(row.review_date) else None,
            passage_id=row.passage_id,
            kind=queries.source_kind(row.scope, row.via_mention),
        )
        for row, text in zip(chosen, texts, strict=True)
    ]


def writable(text: str) -> str:
    """`text` as every format can hold it: XML-legal characters only, encodable as UTF-8."""
    return _NOT_A_CHARACTER.sub("\ufffd", _CONTROL.sub("", text))


def _writable_values(value: object) -> object:
    """`value` with `writable` applied to every text in it (through dataclasses, lists, dicts)."""
    if isinstance(value, str):
        return writable(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.replace(
            value,
            **{
                f.name: _writable_values(getattr(value, f.name))
                for f in dataclasses.fields(value)
                if f.init
            },
        )
    if isinstance(value, list | tuple):
        return type(value)(_writable_values(item) for item in value)
    if isinstance(value, dict):
        return {_writable_values(k): _writable_values(v) for k, v in value.items()}
    return value


def writable_report(report: Report) -> Report:
    """The report with every text writable: document text may hold anything a PDF did."""
    return _writable_values(report)  # type: ignore[return-value]


def _text_or_none(value: object) -> str | None:
    """A text field from a query row: None when missing (None, or NaN from a string column)."""
    return None if value is None or pd.isna(value) else str(value)


def _figure_line(section: ThemeSection) -> str:
    return (
        f"Raised in {section.reviews} of {section.total_reviews} reviews "
        f"({section.prevalence:.0%}; 95% interval {section.ci_low:.0%}–{section.ci_high:.0%}), "
        f"in {section.areas} areas across {section.regions} regions."
    )


def _where_line(section: ThemeSection) -> str:
    if not section.concentrated:
        return "No region raises it significantly more often than the rest of the country."
    parts = [
        f"{c.region} ({c.raising} of {c.reviews} reviews, {_lift(c.lift)}, {p_said(c.p_value)})"
        for c in section.concentrated
    ]
    return "Concentrated in " + "; ".join(parts) + "."


def _lift(lift: float) -> str:
    return "raised only there" if lift == float("inf") else f"{lift:.1f} times the rest"


def _span(periods: list[str]) -> str:
    """'2016–2019', '2019', or 'no dated review'."""
    if not periods:
        return "no dated review"
    return periods[0] if len(periods) == 1 else f"{periods[0]}–{periods[-1]}"


def _by_year(section: ThemeSection, report: Report) -> str:
    """'2016: 1 of 5, 2017: 4 of 6, …' (reviews raising it of that year's reviews)."""
    return ", ".join(
        f"{p}: {k} of {n}"
        for p, k, n in zip(report.periods, section.per_year, report.period_reviews, strict=True)
    )


def _evidence(section: ThemeSection, report: Report) -> str:
    """What a changing theme's status rests on: the figures and the test."""
    early, recent = split_periods(report.periods)
    test = f"Cochran–Armitage trend test z = {section.trend_z:.2f}, {p_said(section.trend_p)}"
    if section.status == "spreading":
        newly = [r for r in section.regions_since if r not in section.regions_before]
        return (
            f"raised in {len(section.regions_before)} regions in {_span(early)} and "
            f"{len(section.regions_since)} in {_span(recent)}"
            + (f" (newly {', '.join(newly)})" if newly else "")
            + f"; its share of reviews shows no trend ({test})"
        )
    if section.status == "new":
        return f"first found by the latest theme run, in {section.reviews} reviews"
    return test


def _trend_line(section: ThemeSection, report: Report) -> str:
    """Reviews raising it year by year; the status only where it is not stable (said once)."""
    years = f"Reviews raising it by year — {_by_year(section, report)}."
    if section.status == "stable":
        return years
    status = STATUS_WORDS.get(section.status, section.status)
    if not section.changing:
        return f"It is {status}. {years}"
    return f"It is {status} ({_evidence(section, report)}). {years}"


@dataclass(frozen=True)
class Changes:
    """The 'What is changing' section as text: over which years, each change, the rest."""

    basis: str
    items: list[str]
    rest: str | None


def _changes(report: Report) -> Changes:
    """The 'What is changing' section: one item per changing theme, then the stable rest."""
    numbers = {s.theme_id: n for n, s in enumerate(report.sections, 1)}
    early, recent = split_periods(report.periods)
    if len(report.periods) < 2:
        basis = (
            f"The reviews cover {_span(report.periods)}: no trend can be tested, so no theme is "
            "emerging, fading or spreading."
        )
    else:
        basis = (
            f"Statuses compare {_span(early)} with {_span(recent)}: trends in the share of "
            f"reviews raising each theme across {_span(report.periods)}, and the regions "
            f"raising it in {_span(recent)} against {_span(early)}."
        )
    items = [
        f"{s.label} (headline {numbers[s.theme_id]} below): {STATUS_WORDS[s.status]}. "
        f"{_evidence(s, report)[0].upper()}{_evidence(s, report)[1:]}. "
        f"Reviews raising it by year — {_by_year(s, report)}."
        for s in report.changing
    ]
    if not items:
        items = ["No headline theme is new, emerging, spreading or fading."]
    stable = sum(s.status == "stable" for s in report.sections)
    rest = (
        f"The other {stable} headline themes are stable over {_span(report.periods)}: no trend "
        "in the share of reviews raising them, and no spread to new regions."
        if stable
        else None
    )
    return Changes(basis, items, rest)


def _coverage_lines(report: Report) -> list[str]:
    cover = report.coverage
    span = (
        f"{cover.first_review:%B %Y} to {cover.last_review:%B %Y}"
        if cover.first_review and cover.last_review
        else "undated"
    )
    regions = ", ".join(f"{r} ({n})" for r, n in report.reviews_by_region.items())
    return [
        f"This draft synthesises {cover.reviews} locality reviews ({report.scope}) covering "
        f"{cover.areas} areas in {cover.regions} regions, carried out from {span}: "
        f"{cover.passages - cover.questions} passages of practitioners' evidence"
        + (f" (and {cover.questions} interviewers' questions)." if cover.questions else "."),
        f"Reviews by region: {regions}.",
        *_national_lines(report),
    ]


def _national_lines(report: Report) -> list[str]:
    """The national documents quoted beside the reviews, which no figure counts."""
    if not report.national_documents:
        return []
    n = len(report.national_documents)
    return [
        f"It also quotes {n} national or thematic document{'s' if n != 1 else ''}, which no "
        f"figure counts as a review: {'; '.join(report.national_documents)}."
    ]


def markdown_text(text: str) -> str:
    """Text that Markdown shows as written: every character a construct can start with escaped.

    Quotes, labels, titles and places come from documents; in a Markdown report they must not
    become headings, links, images fetched from elsewhere or maths.
    """
    return _MARKDOWN.sub(r"\\\1", " ".join(text.split()))


def render_markdown(report: Report) -> str:
    """The report as Markdown (document text escaped, so it reads as written)."""
    report = writable_report(report)
    m = markdown_text
    lines = [
        "# National findings from locality reviews",
        "",
        f"*Draft of {report.generated} · theme run `{report.run['run_id']}` · {m(report.scope)}*",
        "",
        "## Coverage",
        "",
        *[m(line) + "\n" for line in _coverage_lines(report)],
    ]
    changes = _changes(report)
    lines += ["## What is changing", "", m(changes.basis), ""]
    lines += [f"- {m(item)}" for item in changes.items] + [""]
    lines += [m(changes.rest), ""] if changes.rest else []
    lines += ["## Headline themes", ""]
    for number, section in enumerate(report.sections, 1):
        lines += [f"### {number}. {m(section.label)}", ""]
        if section.heading:
            lines += [f"*{m(section.heading)}*", ""]
        lines += [
            m(
                _figure_line(section)
                + " "
                + _where_line(section)
                + " "
                + _trend_line(section, report)
            ),
            "",
        ]
        for quote in section.quotes:
            lines += [
                f"> {m(quote.text)}",
                ">",
                f"> — {m(quote.attribution)} (passage `{quote.passage_id[:12]}`)",
                "",
            ]
    lines += ["## Method", ""]
    lines += [line + "\n" for line in report.method]
    if report.redacted:
        lines += ["Personal names, phone numbers and e-mail addresses in quotes are redacted.\n"]
    if report.memos:
        lines += ["## Appendix: researchers' memos", ""]
        lines += [
            f"- **{m(memo.about)}**, {m(memo.author)}, {m(memo.written)}: {m(memo.text)}"
            for memo in report.memos
        ] + [""]
    return "\n".join(lines)


CSS = """
body{font-family:Georgia,'Times New Roman',serif;max-width:46em;margin:2em auto;padding:0 1em;
color:#222;line-height:1.5}
h1,h2,h3{font-family:Helvetica,Arial,sans-serif;line-height:1.2}
.meta{color:#555;font-style:italic}
blockquote{border-left:4px solid #888;margin:1em 0;padding:.2em 1em;background:#f6f6f6}
blockquote footer{color:#555;font-size:.9em}
code{font-size:.85em}
"""


def render_html(report: Report) -> str:
    """The report as one self-contained HTML page (no external fonts, scripts or images)."""
    report = writable_report(report)
    e = html.escape
    body = [
        "<h1>National findings from locality reviews</h1>",
        f"<p class='meta'>Draft of {e(report.generated)} · theme run "
        f"<code>{e(str(report.run['run_id']))}</code> · {e(report.scope)}</p>",
        "<h2>Coverage</h2>",
        *[f"<p>{e(line)}</p>" for line in _coverage_lines(report)],
    ]
    changes = _changes(report)
    body += ["<h2>What is changing</h2>", f"<p>{e(changes.basis)}</p>", "<ul>"]
    body += [f"<li>{e(item)}</li>" for item in changes.items] + ["</ul>"]
    body += [f"<p>{e(changes.rest)}</p>"] if changes.rest else []
    body.append("<h2>Headline themes</h2>")
    for number, section in enumerate(report.sections, 1):
        body.append(f"<h3>{number}. {e(section.label)}</h3>")
        if section.heading:
            body.append(f"<p class='meta'>{e(section.heading)}</p>")
        body.append(
            f"<p>{e(_figure_line(section))} {e(_where_line(section))} "
            f"{e(_trend_line(section, report))}</p>"
        )
        for quote in section.quotes:
            body.append(
                f"<blockquote><p>{e(quote.text)}</p><footer>— {e(quote.attribution)} "
                f"(passage <code>{e(quote.passage_id[:12])}</code>)</footer></blockquote>"
            )
    body.append("<h2>Method</h2>")
    body += [f"<p>{e(line)}</p>" for line in report.method]
    if report.redacted:
        body.append(
            "<p>Personal names, phone numbers and e-mail addresses in quotes are redacted.</p>"
        )
    if report.memos:
        body += ["<h2>Appendix: researchers' memos</h2>", "<ul>"]
        body += [
            f"<li><strong>{e(memo.about)}</strong>, {e(memo.author)}, {e(memo.written)}: "
            f"{e(memo.text)}</li>"
            for memo in report.memos
        ] + ["</ul>"]
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<title>National findings from locality reviews</title>"
        f"<style>{CSS}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n"
    )


def render_docx(report: Report, out: Path) -> None:
    """The report as a Word document."""
    from docx import Document

    report = writable_report(report)

    document = Document()
    document.core_properties.title = "National findings from locality reviews"
    document.core_properties.author = "Findings"
    document.add_heading("National findings from locality reviews", 0)
    meta = document.add_paragraph(
        f"Draft of {report.generated} · theme run {report.run['run_id']} · {report.scope}"
    )
    meta.runs[0].italic = True
    document.add_heading("Coverage", 1)
    for line in _coverage_lines(report):
        document.add_paragraph(line)
    changes = _changes(report)
    document.add_heading("What is changing", 1)
    document.add_paragraph(changes.basis)
    for item in changes.items:
        document.add_paragraph(item, style="List Bullet")
    if changes.rest:
        document.add_paragraph(changes.rest)
    document.add_heading("Headline themes", 1)
    for number, section in enumerate(report.sections, 1):
        document.add_heading(f"{number}. {section.label}", 2)
        if section.heading:
            document.add_paragraph(section.heading).runs[0].italic = True
        document.add_paragraph(
            f"{_figure_line(section)} {_where_line(section)} {_trend_line(section, report)}"
        )
        for quote in section.quotes:
            document.add_paragraph(quote.text, style="Quote")
            document.add_paragraph(f"— {quote.attribution} (passage {quote.passage_id[:12]})").runs[
                0
            ].italic = True
    document.add_heading("Method", 1)
    for line in report.method:
        document.add_paragraph(line)
    if report.redacted:
        document.add_paragraph(
            "Personal names, phone numbers and e-mail addresses in quotes are redacted."
        )
    if report.memos:
        document.add_heading("Appendix: researchers' memos", 1)
        for memo in report.memos:
            item = document.add_paragraph(style="List Bullet")
            item.add_run(memo.about).bold = True
            item.add_run(f", {memo.author}, {memo.written}: {memo.text}")
    # python-docx stamps the current time; a fixed one keeps repeated exports identical
    stamp = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    document.core_properties.created = document.core_properties.modified = stamp
    document.save(str(out))


def write_report(report: Report, out: Path) -> Path:
    """Write the report in the format its suffix names (.md, .html or .docx)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.partial")
    suffix = out.suffix.lower()
    if suffix == ".md":
        partial.write_text(render_markdown(report), encoding="utf-8")
    elif suffix in (".html", ".htm"):
        partial.write_text(render_html(report), encoding="utf-8")
    elif suffix == ".docx":
        render_docx(report, partial)
    else:
        raise ReportError(f"{out}: use a .md, .html or .docx file name")
    partial.replace(out)
    return out
