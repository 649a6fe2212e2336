"""What every page needs: who reads, settings, the snapshot, the sidebar's filters, the codebook.

Every page opens with `page_context(action)`, which is also its guard: a person whose role does
not allow `action` sees a refusal and nothing else, however they reached the page (a link, a
bookmarked URL, a query parameter). Whether quotes are redacted is decided in app.py from the
person's role and their own switch, never from the URL.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import streamlit as st

from pipeline.access.roles import Action, may
from pipeline.access.signin import Person
from pipeline.queries import DOCUMENT_TYPE_NAMES, Filters
from pipeline.settings import Settings
from pipeline.themes.codebook import Codebook
from pipeline.viewer import data
from pipeline.viewer.data import Source
from pipeline.viewer.literal import md
from pipeline.viewer.team import record_unredacted_view

_KEY = "findings_context"
ALL = "All"
DOC_TYPES = DOCUMENT_TYPE_NAMES


@dataclass(frozen=True)
class PageContext:
    """Built by app.py on every run, read by the page it then runs.

    `settings.redact_quotes` is this person's redaction, decided for this run.
    """

    settings: Settings
    source: Source
    filters: Filters
    codebook: Codebook
    person: Person
    page: str

    def may(self, action: Action) -> bool:
        """Whether the person reading may do `action`."""
        return may(self.person.role, action)

    @property
    def labels(self) -> dict[int, str]:
        """Theme id -> displayed label."""
        return data.theme_labels(self.source, self.codebook)


def page_context(action: Action = Action.read_findings) -> PageContext:
    """The context app.py built for this run, once the person may `action`; else the page stops.

    Reading quotes as written is recorded here, once per page and filters in a session.
    """
    context: PageContext | None = st.session_state.get(_KEY)
    if context is None:  # a page run without app.py's door: nobody is known
        st.error("Open the viewer from its front page.")
        st.stop()
    if not context.may(action):
        role = context.person.role.value if context.person.role else "none"
        st.error(
            f"Your role ({md(role)}) does not allow this page. Ask the person who keeps the "
            "access list if you need it."
        )
        st.stop()
    if not context.settings.redact_quotes:
        record_unredacted_view(
            context.settings, context.person, context.page, context.filters.describe()
        )
    return context


def remember(context: PageContext) -> None:
    """Store the context for the page about to run."""
    st.session_state[_KEY] = context


def sidebar_filters(source: Source) -> Filters:
    """The global filters, drawn in the sidebar; every page honours them."""
    options = data.filter_options(source)
    side = st.sidebar
    side.header("Filters")
    region = side.selectbox("Region", [ALL, *options.regions], key="filter_region")
    areas = options.areas
    if region != ALL:
        # A region's areas are its locality reviews' (a national report mentioning a place
        # in the region is listed under the region, but its "area" is no area of it).
        found = data.sources(source, Filters(region=region))
        local = found[found["scope"] != "national"] if "scope" in found else found
        areas = sorted(set(local["area"].dropna()))
    area = side.selectbox("Area", [ALL, *areas], key="filter_area")
    force = side.selectbox("Police force", [ALL, *options.forces], key="filter_force")
    doc_type = side.selectbox(
        "Document type",
        [ALL, *options.doc_types],
        format_func=lambda t: DOC_TYPES.get(t, t),
        key="filter_type",
    )
    since = until = None
    first, last = options.first_review, options.last_review
    if first and last and first < last:
        chosen = side.slider(
            "Review dates",
            min_value=first,
            max_value=last,
            value=(first, last),
            format="MMM YYYY",
            key="filter_dates",
        )
        if chosen[0] > first:
            since = chosen[0]
        if chosen[1] < last:
            until = chosen[1] + dt.timedelta(days=1)  # the query bound is exclusive
    return Filters(
        region=None if region == ALL else region,
        area=None if area == ALL or area not in areas else area,
        police_force=None if force == ALL else force,
        since=since,
        until=until,
        doc_type=None if doc_type == ALL else doc_type,
    )


def describe(filters: Filters) -> str:
    """The filters in words, for captions (Markdown: an area's name shows as written)."""
    return md(filters.describe())


def plural(n: int, noun: str) -> str:
    """'1 review', '3 reviews', '2 national documents': a count and its noun (ours, a literal).

    `:d` takes only a whole number, so the count can carry no Markdown.
    """
    return f"{n:d} {noun}{'' if n == 1 else 's'}"


def bold_count(n: int, noun: str) -> str:
    """'**3** reviews' (Markdown): a count in bold and its noun (as `plural`)."""
    return f"**{n:d}** {noun}{'' if n == 1 else 's'}"
