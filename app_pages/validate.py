"""Validate: code a blind sample of passages, one at a time, to check the machine (coders).

The machine's theme for a passage is never on this page: the coder sees the passage and the
themes to choose from, answers, and moves on. `findings validate report` compares the answers.
"""

from __future__ import annotations

from contextlib import closing

import streamlit as st

from pipeline.access.roles import Action
from pipeline.access.validation import (
    find_sample,
    latest_answers,
    record_answers,
    sample_items,
    samples,
)
from pipeline.queries.validation import passage_texts
from pipeline.storage.team import open_team_store
from pipeline.viewer import data
from pipeline.viewer.context import page_context
from pipeline.viewer.literal import code, md

NONE_OF_THESE = "None of these"

context = page_context(Action.edit_codebook)
settings = context.settings
coder = context.person.email

st.title("Validate")
with closing(open_team_store(settings.team_db)) as store:
    known = samples(store)
if not known:
    st.info(
        "No sample to code yet. Draw one with `findings validate sample --n 100`: passages "
        "picked at random across themes and regions, to be coded here without seeing the "
        "machine's theme."
    )
    st.stop()
chosen = st.selectbox(
    "Sample",
    [info.sample_id for info in known],
    key="validate_sample",
    help="The newest first. Each sample keeps the themes it offered when it was drawn.",
)
with closing(open_team_store(settings.team_db)) as store:
    info = find_sample(store, chosen)
    items = sample_items(store, info.sample_id)
    mine = {a.passage_id for a in latest_answers(store, info.sample_id) if a.coder == coder}
remaining = [item for item in items if item.passage_id not in mine]
st.caption(
    f"Coding as {md(coder)}: {len(mine)} of {len(items)} passages answered. The machine's "
    f"themes are not shown here; `findings validate report` compares the answers with them."
)
st.progress(len(mine) / len(items) if items else 1.0)
if not remaining:
    st.success("You have answered every passage of this sample. Thank you.")
    st.stop()

item = remaining[0]
text = passage_texts(data.cursor(context.source), [item.passage_id]).get(item.passage_id, "")
st.subheader(md(f"Passage {item.position} of {len(items)}"))
st.caption(f"Passage {code(item.passage_id[:12])}")
with st.container(border=True):
    st.text(data.redact([text], settings, context.source)[0])

names = {theme.label: theme.theme_id for theme in info.themes}
with st.form(f"answer_{info.sample_id}_{item.passage_id}", clear_on_submit=True):
    picked = st.multiselect(
        "Themes this passage is about", sorted(names), default=[], key="validate_themes"
    )
    none = st.checkbox(NONE_OF_THESE, key="validate_none")
    saved = st.form_submit_button("Save and next", type="primary")
if saved:
    if picked and none:
        st.error(f"Pick themes or “{NONE_OF_THESE}”, not both.")
    elif not picked and not none:
        st.error(f"Pick at least one theme, or “{NONE_OF_THESE}”.")
    else:
        with closing(open_team_store(settings.team_db)) as store:
            record_answers(
                store, info, coder, [(item.passage_id, frozenset(names[p] for p in picked))]
            )
        st.rerun()
