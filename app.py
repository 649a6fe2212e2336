"""Findings viewer: `findings viewer` (or `make run`). Pages live in app_pages/.

The door comes first: who is reading (signed in and on the access list, or the operator of a
viewer on this machine), then what their role lets them see. Pages each check the role again.
"""

from __future__ import annotations

import streamlit as st

from pipeline.access.roles import Action, may, shows_redacted
from pipeline.settings import Settings
from pipeline.viewer import data
from pipeline.viewer.context import PageContext, remember, sidebar_filters
from pipeline.viewer.literal import md
from pipeline.viewer.team import UNREDACTED_KEY, person_at_the_door

# An emoji favicon, drawn by the browser: without one, Streamlit makes each page's :material/…:
# icon the favicon, fetched from fonts.gstatic.com, and the viewer must fetch nothing from outside.
st.set_page_config(page_title="Findings", page_icon="📋", layout="wide")

settings = Settings()
person = person_at_the_door(settings)
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
if may(person.role, Action.edit_codebook):
    pages.append(st.Page("app_pages/validate.py", title="Validate", icon=":material/fact_check:"))
if may(person.role, Action.read_audit):
    pages.append(st.Page("app_pages/audit.py", title="Audit", icon=":material/policy:"))
if may(person.role, Action.edit_access):
    pages.append(st.Page("app_pages/access.py", title="Access", icon=":material/group:"))
navigation = st.navigation(pages)

role = person.role.value if person.role else "none"
if person.signed_in:
    st.sidebar.caption(f"Signed in as {md(person.email)} ({md(role)})")
    st.sidebar.button("Sign out", on_click=st.logout, key="sign_out")
else:
    st.sidebar.caption(f"On this machine only, no sign-in: {md(person.email)} ({md(role)})")
asked_unredacted = False
if may(person.role, Action.read_unredacted):
    # Only a viewer with no sign-in takes its first state from FINDINGS_REDACT_QUOTES.
    first = not settings.redact_quotes and not person.signed_in
    asked_unredacted = st.sidebar.toggle(
        "Show quotes as written",
        value=first,
        key=UNREDACTED_KEY,
        help="Names, phone numbers and e-mail addresses as the documents have them, for you "
        "alone; each page you read so is recorded in the audit trail.",
    )
redact = shows_redacted(person.role, asked_unredacted=asked_unredacted)
if not redact:
    st.sidebar.warning("Quotes are not redacted: what you read is recorded.")
filters = sidebar_filters(source)
remember(
    PageContext(
        settings.model_copy(update={"redact_quotes": redact}),
        source,
        filters,
        data.codebook(settings),
        person,
        navigation.title,
    )
)
navigation.run()
