"""Codebook: name, describe, merge or set aside the themes; later runs keep the decisions."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from pipeline.errors import CodebookError
from pipeline.themes.codebook import update_curation
from pipeline.viewer import data
from pipeline.viewer.context import page_context
from pipeline.viewer.literal import code, md

context = page_context()
source, book = context.source, context.codebook
path = context.settings.codebook

st.title("Codebook")
st.caption(
    f"Decisions are saved to {code(path)} and applied at once here; the next theme run applies "
    "them to the warehouse (merges move passages then). Theme ids stay stable across runs."
)
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
    + md(", ".join(list(generated["keywords"]) if generated["keywords"] is not None else []))
)

with st.form(f"curate_{theme_id}"):
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
        placeholder=str(generated["description"] or ""),
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
    saved = st.form_submit_button("Save")
if saved:
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
