"""Audit: who signed in, read quotes as written, exported or changed what, and when (admins)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from pipeline.access.roles import Action
from pipeline.viewer import data
from pipeline.viewer.context import page_context
from pipeline.viewer.literal import code

context = page_context(Action.read_audit)
settings = context.settings

st.title("Audit")
st.caption(
    f"Every sign-in, refusal, read of quotes as written, export and change, from the team "
    f"store {code(settings.team_db)}; rows are only ever added. Times are UTC. The command "
    "line shows the same with `findings audit`."
)
left, right = st.columns(2)
since = left.date_input(
    "From", value=dt.datetime.now(dt.UTC).date() - dt.timedelta(days=30), key="audit_since"
)
person = right.text_input("Person (e-mail or account)", key="audit_person").strip()
events = data.audit_events(settings, since if isinstance(since, dt.date) else None, person)
if not events:
    st.info("No events under these choices.")
    st.stop()
st.dataframe(
    pd.DataFrame(
        [
            {
                "When (UTC)": f"{event.occurred_at:%Y-%m-%d %H:%M:%S}",
                "Person": event.person,
                "Role": event.role.value if event.role else "",
                "Action": event.action.value.replace("_", " "),
                "Detail": event.detail,
                "Via": event.via.value,
            }
            for event in reversed(events)  # newest first
        ]
    ),
    hide_index=True,
    width="stretch",
)
