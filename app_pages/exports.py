"""Exports: the drafted report, tables, and REFI-QDA files for QDA tools, as downloads."""

from __future__ import annotations

import streamlit as st

from pipeline.access.audit import AuditAction
from pipeline.access.roles import Action
from pipeline.errors import ReportError
from pipeline.viewer import data
from pipeline.viewer.context import describe, page_context
from pipeline.viewer.literal import md
from pipeline.viewer.team import record

context = page_context(Action.export_redacted)
source, filters, book, settings = (
    context.source, context.filters, context.codebook, context.settings,
)  # fmt: skip
key = data.codebook_key(settings)
# Quotes leave as this person reads them, and as written only for a role that may export so.
redact = settings.redact_quotes or not context.may(Action.export_unredacted)


def recorded(what: str) -> None:
    """Record a download in the audit trail (called as the button is clicked)."""
    how = "redacted" if redact else "unredacted"
    record(settings, context.person, AuditAction.exported, f"{what}, {how} ({filters.describe()})")


st.title("Exports")
st.caption(f"Everything below follows the sidebar's filters: {describe(filters)}.")

st.subheader("Drafted national findings report")
st.write(
    "Coverage, then each headline theme: how many reviews and areas raise it, where it is "
    "concentrated, whether it is emerging, and quotes with their area and date; a method note "
    "names the model, parameters and run."
)
fmt = (
    st.segmented_control(
        "Format",
        ["docx", "html", "md"],
        default="docx",
        key="export_format",
        format_func={"docx": "Word", "html": "HTML", "md": "Markdown"}.get,
    )
    or "docx"
)
mime = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "html": "text/html",
    "md": "text/markdown",
}[fmt]
try:
    report = data.report_file(
        source, filters, book, key, fmt, redact, settings.spacy_model, data.agreement_note(settings)
    )
except ReportError as refused:  # no reviews under the filters, or no theme run yet
    st.info(f"No report to draft: {md(str(refused))}.")
else:
    st.download_button(
        "Download the report",
        report,
        file_name=f"findings-report.{fmt}",
        mime=mime,
        key="download_report",
        on_click=recorded,
        args=(f"report (.{fmt})",),
    )

st.subheader("Tables")
st.write(
    "Coded passages with provenance and metadata, themes, documents, and counts by region, "
    "police force and area per year (CSV files in a zip)."
    + (" Passage text is redacted as on screen." if redact else "")
)
st.download_button(
    "Download the tables",
    data.tables_zip(source, filters, book, key, redact, settings.spacy_model),
    file_name="findings-tables.zip",
    mime="application/zip",
    key="download_tables",
    on_click=recorded,
    args=("tables (.zip of CSV)",),
)

st.subheader("For QDA tools (REFI-QDA)")
st.write(
    "A project for NVivo, ATLAS.ti, MAXQDA or QualCoder: every document, every coded passage "
    "at its exact place, themes as codes under their headings, areas as cases. The codebook "
    "alone round-trips: `findings import codebook FILE.qdc` reads names and hierarchy back."
)
st.download_button(
    "Download the codebook (.qdc)",
    data.codebook_file(source, book, key),
    file_name="findings-codebook.qdc",
    mime="application/xml",
    key="download_codebook",
    on_click=recorded,
    args=("codebook (.qdc)",),
)
if redact:
    st.info(
        "The project holds documents' full, unredacted text, so it is offered only to an "
        "analyst who has turned on “Show quotes as written” in the sidebar, or from the "
        "command line: `findings export qdpx --out findings.qdpx` (recorded in the audit)."
    )
else:
    st.download_button(
        "Download the project (.qdpx)",
        data.qdpx_file(source, filters, book, key),
        file_name="findings.qdpx",
        mime="application/zip",
        key="download_qdpx",
        on_click=recorded,
        args=("REFI-QDA project (.qdpx)",),
    )
