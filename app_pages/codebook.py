"""Codebook: name, describe, merge or set aside the themes; later runs keep the decisions."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from pipeline.access.audit import AuditAction
from pipeline.access.roles import Action
from pipeline.errors import CodebookError
from pipeline.themes.codebook import update_curation
from pipeline.viewer import data
from pipeline.viewer.context import page_context
from pipeline.viewer.literal import code, md
from pipeline.viewer.team import record

context = page_context()
source, book = context.source, context.codebook
path = context.settings.codebook

st.title("Codebook")
st.caption(
    f"Decisions are saved to {code(path)} and applied at once here; the next theme run applies "
    "them to the warehouse (merges move passages then). Theme ids stay stable across runs."
)
editor = context.may(Action.edit_codebook)
if not editor:
    st.info("Your role reads the codebook; researchers and analysts change it.")
catalogue = data.catalogue(source)
curated = data.curate(catalogue, book, hide_not_relevant=False)
ids = curated["theme_id"].astype(int).tolist()
labels = dict(zip(ids, curated["label"], strict=True))
theme_id = st.selectbox(
    "Theme", ids, format_func=lambda t: f"{labels[t]} (#{t})", key="codebook_theme"
)
generated = catalogue.set_index("theme_id").loc[theme_id]
current = book.curations.get(theme_id)
st.caption(
    "Keywords: "
    + md(
        data.redact(
            [", ".join(list(generated["keywords"]) if generated["keywords"] is not None else [])],
            context.settings,
            source,
        )[0]
    )
)

with st.form(f"curate_{theme_id}", enter_to_submit=False):
    label = st.text_input(
        "Name",
        value=(current.label if current and current.label else ""),
        placeholder=str(generated["label"]),
        help="Empty: use the generated label.",
        key=f"codebook_label_{theme_id}",
    )
    description = st.text_area(
        "Description",
        value=(current.description if current and current.description else ""),
        # A generated description quotes the passages: redacted as they are.
        placeholder=data.redact([str(generated["description"] or "")], context.settings, source)[0],
        key=f"codebook_description_{theme_id}",
    )
    others = [t for t in ids if t != theme_id]
    merge_options = [None, *others]
    merge_into = st.selectbox(
        "Merge into",
        merge_options,
        index=merge_options.index(current.merge_into)
        if current and current.merge_into in merge_options
        else 0,
        format_func=lambda t: "— keep separate —" if t is None else f"{labels[t]} (#{t})",
        key=f"codebook_merge_{theme_id}",
    )
    not_relevant = st.checkbox(
        "Not relevant (hide from the findings)",
        value=bool(current and current.not_relevant),
        key=f"codebook_not_relevant_{theme_id}",
    )
    saved = st.form_submit_button("Save", disabled=not editor)
if saved and editor:  # a disabled button is no guard on its own: the role is checked again
    try:
        update_curation(
            path,
            theme_id,
            label=label or None,
            description=description or None,
            merge_into=merge_into,
            not_relevant=not_relevant,
        )
    except (CodebookError, OSError, TimeoutError) as exc:
        st.error(f"Could not save the codebook: {md(exc)}")
    else:
        record(
            context.settings,
            context.person,
            AuditAction.changed_codebook,
            f"theme {theme_id}: name {label or '(generated)'!r}, merge into "
            f"{merge_into if merge_into is not None else 'none'}, "
            f"{'not relevant' if not_relevant else 'relevant'}",
        )
        st.success("Saved.")
        st.rerun()

st.subheader("Decisions so far")
if not book.curations:
    st.caption("No decisions yet: every theme shows its generated label.")
else:
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "Theme": f"#{t}",
                    "Generated label": catalogue.set_index("theme_id")["label"].get(t, "?"),
                    "Name": c.label or "",
                    "Description": c.description or "",
                    "Merge into": f"#{c.merge_into}" if c.merge_into is not None else "",
                    "Not relevant": "yes" if c.not_relevant else "",
                }
                for t, c in sorted(book.curations.items())
            ]
        ),
        hide_index=True,
        width="stretch",
    )
