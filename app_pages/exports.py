"""Exports: the drafted report, tables, and REFI-QDA files for QDA tools, as downloads."""

from __future__ import annotations

import streamlit as st

from pipeline.viewer import data
from pipeline.viewer.context import describe, page_context

context = page_context()
source, filters, book, settings = (
    context.source, context.filters, context.codebook, context.settings,
)  # fmt: skip
key = data.codebook_key(settings)
redact = settings.redact_quotes

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
st.download_button(
    "Download the report",
    data.report_file(source, filters, book, key, fmt, redact, settings.spacy_model),
    file_name=f"findings-report.{fmt}",
    mime=mime,
    key="download_report",
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
)
if redact:
    st.info(
        "The project holds documents' full, unredacted text, so it is offered only when "
        "quotes are not redacted (FINDINGS_REDACT_QUOTES=false, for authorised analysts), or "
        "from the command line: `findings export qdpx --out findings.qdpx`."
    )
else:
    st.download_button(
        "Download the project (.qdpx)",
        data.qdpx_file(source, filters, book, key),
        file_name="findings.qdpx",
        mime="application/zip",
        key="download_qdpx",
    )
