"""Findings viewer: `streamlit run app.py` (or `make run`). Pages live in app_pages/."""

from __future__ import annotations

import streamlit as st

from pipeline.settings import Settings
from pipeline.viewer import data
from pipeline.viewer.context import PageContext, remember, sidebar_filters

# An emoji favicon, drawn by the browser: without one, Streamlit makes each page's :material/…:
# icon the favicon, fetched from fonts.gstatic.com, and the viewer must fetch nothing from outside.
st.set_page_config(page_title="Findings", page_icon="📋", layout="wide")

settings = Settings()
source = data.current_source(settings)
if source is None:
    st.title("Findings")
    missing = data.why_no_source(settings)
    (st.error if missing.broken else st.info)(missing.message)
    st.stop()
if source.fallback:  # an older snapshot stands in for a damaged or outdated one: say so
    st.warning(source.fallback)

pages = [
    st.Page(
        "app_pages/national.py", title="National findings", icon=":material/flag:", default=True
    ),
    st.Page("app_pages/theme.py", title="Theme", icon=":material/topic:"),
    st.Page("app_pages/regions.py", title="Regions", icon=":material/map:"),
    st.Page("app_pages/search.py", title="Search", icon=":material/search:"),
    st.Page("app_pages/matrix.py", title="Framework matrix", icon=":material/grid_on:"),
    st.Page("app_pages/sources.py", title="Sources", icon=":material/description:"),
    st.Page("app_pages/exports.py", title="Exports", icon=":material/download:"),
    st.Page("app_pages/codebook.py", title="Codebook", icon=":material/edit_note:"),
]
navigation = st.navigation(pages)
filters = sidebar_filters(source)
if not settings.redact_quotes:
    st.sidebar.warning("Quotes are not redacted (FINDINGS_REDACT_QUOTES=false).")
remember(PageContext(settings, source, filters, data.codebook(settings)))
navigation.run()
