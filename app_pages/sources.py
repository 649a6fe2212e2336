"""Sources: what the findings rest on, and what could not be read."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from pipeline.viewer import data
from pipeline.viewer.context import DOC_TYPES, describe, page_context

context = page_context()
source, filters = context.source, context.filters

st.title("Sources")
documents = data.sources(source, filters)
st.caption(f"{len(documents)} documents · {describe(filters)}")
st.dataframe(
    pd.DataFrame(
        {
            "Title": documents["title"],
            "Area": documents["area"],
            "Region": documents["region"],
            "Police force": documents["police_force"],
            "Review date": documents["review_date"],
            "Type": documents["doc_type"].map(DOC_TYPES).fillna(documents["doc_type"]),
            "Format": documents["format"],
            "Passages": documents["n_passages"],
            "Guessed": [", ".join(f) for f in documents["inferred_fields"]],
            "File": documents["path"],
        }
    ),
    hide_index=True,
    width="stretch",
    column_config={"Review date": st.column_config.DateColumn(format="D MMM YYYY")},
)
st.caption("Guessed: metadata Findings inferred from the text rather than was told (check them).")

st.subheader("Files that could not be read, or were read with a warning")
errors = data.ingest_errors(source)
if errors.empty:
    st.success("Every file was read without problems.")
else:
    st.dataframe(
        errors.rename(
            columns={"path": "File", "severity": "Severity", "reason": "Reason", "at": "When"}
        ),
        hide_index=True,
        width="stretch",
    )

st.subheader("Theme runs")
runs = data.run_history(source)
st.dataframe(
    runs[
        [
            "run_id",
            "finished_at",
            "mode",
            "model",
            "n_passages",
            "n_themes",
            "n_new_themes",
            "outlier_share",
            "status",
        ]
    ].rename(
        columns={
            "run_id": "Run",
            "finished_at": "Finished",
            "mode": "Mode",
            "model": "Model",
            "n_passages": "Passages",
            "n_themes": "Themes",
            "n_new_themes": "New",
            "outlier_share": "Unassigned",
            "status": "Status",
        }
    ),
    hide_index=True,
    width="stretch",
    column_config={"Unassigned": st.column_config.NumberColumn(format="percent")},
)
