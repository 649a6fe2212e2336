"""Sources: what the findings rest on, and what could not be read."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from pipeline.access.memos import MemoTarget
from pipeline.review_dates import shown_review_date
from pipeline.viewer import data
from pipeline.viewer.context import DOC_TYPES, describe, page_context
from pipeline.viewer.literal import shown
from pipeline.viewer.memos import MEMO_HELP, memo_section

context = page_context()
source, filters = context.source, context.filters

st.title("Sources")
documents = data.sources(source, filters)
national = documents[documents["scope"] == "national"]
reviews = documents[documents["scope"] != "national"]
memos = data.memos_on(context.settings, MemoTarget.document, context.source)


def document_table(rows: pd.DataFrame) -> None:
    """Documents with their metadata, as a table (cells are text, never Markdown)."""
    st.dataframe(
        pd.DataFrame(
            {
                "Title": rows["title"],
                "Area": rows["area"],
                "Region": rows["region"],
                "Police force": rows["police_force"],
                # As text, to the month where only the month is known (ISO, so it sorts).
                "Review date": [
                    shown_review_date(when, precision, iso=True)
                    for when, precision in zip(
                        rows["review_date"], rows["review_date_precision"], strict=True
                    )
                ],
                "Type": rows["doc_type"].map(DOC_TYPES).fillna(rows["doc_type"]),
                "Format": rows["format"],
                "Passages": rows["n_passages"],
                "Memos": [len(memos.get(doc_id, [])) for doc_id in rows["doc_id"]],
                "Guessed": [", ".join(f) for f in rows["inferred_fields"]],
                "File": rows["path"],
            }
        ),
        hide_index=True,
        width="stretch",
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
withdrawn = data.withdrawn_reviews(source)
if not withdrawn.empty:
    st.subheader("Withdrawn by hand")
    st.caption(
        f"{len(withdrawn)} document{'s' if len(withdrawn) != 1 else ''} taken out with "
        "`findings withdraw`: in no count, search or quote from the run after; the text is kept "
        "for audit, and `findings withdraw --undo` brings one back."
    )
    st.dataframe(
        pd.DataFrame(
            {
                "Title": withdrawn["title"],
                "File": withdrawn["source_path"],
                "Withdrawn": withdrawn["withdrawn_at"],
                "Reason": withdrawn["reason"],
            }
        ),
        hide_index=True,
        width="stretch",
        column_config={"Withdrawn": st.column_config.DatetimeColumn(format="D MMM YYYY HH:mm")},
    )


def document_name(row: pd.Series) -> str:
    """'Title (Area, 01 May 2016)' for choosing a document; missing fields left out."""
    date = shown_review_date(row["review_date"], row["review_date_precision"])
    details = [shown(row["area"]), date or ""]
    title = shown(row["title"]) or str(row["doc_id"])[:12]
    inside = ", ".join(d for d in details if d)
    return f"{title} ({inside})" if inside else title


st.subheader("Memos on a document", help=MEMO_HELP)
if documents.empty:
    st.caption("No documents under these filters.")
else:
    names = {str(r["doc_id"]): document_name(r) for _, r in documents.iterrows()}
    chosen = st.selectbox(
        "Document",
        list(names),
        format_func=names.__getitem__,
        key="memo_document_choice",
        help="The documents under the filters, as listed above (the Memos column counts them).",
    )
    memo_section(context, MemoTarget.document, str(chosen), key="memo_document")

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
