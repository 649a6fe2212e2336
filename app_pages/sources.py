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
national = documents[documents["scope"] == "national"]
reviews = documents[documents["scope"] != "national"]


def document_table(rows: pd.DataFrame) -> None:
    """Documents with their metadata, as a table (cells are text, never Markdown)."""
    st.dataframe(
        pd.DataFrame(
            {
                "Title": rows["title"],
                "Area": rows["area"],
                "Region": rows["region"],
                "Police force": rows["police_force"],
                "Review date": rows["review_date"],
                "Type": rows["doc_type"].map(DOC_TYPES).fillna(rows["doc_type"]),
                "Format": rows["format"],
                "Passages": rows["n_passages"],
                "Guessed": [", ".join(f) for f in rows["inferred_fields"]],
                "File": rows["path"],
            }
        ),
        hide_index=True,
        width="stretch",
        column_config={"Review date": st.column_config.DateColumn(format="D MMM YYYY")},
    )


st.caption(f"{len(reviews)} locality reviews · {describe(filters)}")
document_table(reviews)
if not national.empty:
    st.subheader("National and thematic documents")
    placed = any(v is not None for v in (filters.region, filters.area, filters.police_force))
    st.caption(
        f"{len(national)} document{'s' if len(national) != 1 else ''} about the country as a "
        "whole: searchable and quoted, never counted as a review"
        + (" (listed here because they mention a place under the filters)" if placed else "")
        + "."
    )
    document_table(national)
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
