"""What every page needs: settings, the snapshot to read, the sidebar's filters, the codebook."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import streamlit as st

from pipeline.queries import DOCUMENT_TYPE_NAMES, Filters
from pipeline.settings import Settings
from pipeline.themes.codebook import Codebook
from pipeline.viewer import data
from pipeline.viewer.data import Source
from pipeline.viewer.literal import md

_KEY = "findings_context"
ALL = "All"
DOC_TYPES = DOCUMENT_TYPE_NAMES


@dataclass(frozen=True)
class PageContext:
    """Built by app.py on every run, read by the page it then runs."""

    settings: Settings
    source: Source
    filters: Filters
    codebook: Codebook

    @property
    def labels(self) -> dict[int, str]:
        """Theme id -> displayed label."""
        return data.theme_labels(self.source, self.codebook)


def page_context() -> PageContext:
    """The context app.py built for this run."""
    return st.session_state[_KEY]


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
        areas = sorted(set(data.sources(source, Filters(region=region))["area"].dropna()))
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
