"""Ingest's reads and writes: documents with their passages, ingest errors and the places table.

Every statement is named SQL in `sql/ingest.sql`; callers get records, never result rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import duckdb

from pipeline.faults import crash_point
from pipeline.ids import sha256_hex, utc_now
from pipeline.records import Place, PreparedDocument
from pipeline.storage.named_sql import named_queries
from pipeline.storage.transaction import transaction

Severity = Literal["error", "warning"]
_GAZETTEER_VERSION = "gazetteer_version"


@dataclass(frozen=True)
class StoredDocument:
    """A document already in the warehouse, as far as a rerun needs to know it."""

    doc_id: str
    path: str


def _sql() -> dict[str, str]:
    return named_queries("ingest")


def _stored(row: tuple[str, str] | None) -> StoredDocument | None:
    return StoredDocument(doc_id=row[0], path=row[1]) if row else None


def document_by_source(con: duckdb.DuckDBPyConnection, source_sha: str) -> StoredDocument | None:
    """The document made from a file with these bytes, if any."""
    return _stored(con.execute(_sql()["document_by_source"], [source_sha]).fetchone())


def document_by_id(con: duckdb.DuckDBPyConnection, doc_id: str) -> StoredDocument | None:
    """The document with this text (its id is the hash of its text), if any."""
    return _stored(con.execute(_sql()["document_by_id"], [doc_id]).fetchone())


def record_ingest_error(
    con: duckdb.DuckDBPyConnection, path: str, source_sha: str, reason: str, severity: Severity
) -> None:
    """Record why a file failed (or what to check about it); a repeat only moves its time."""
    con.execute(_sql()["record_ingest_error"], [path, source_sha, reason, severity, utc_now()])


def write_document(
    con: duckdb.DuckDBPyConnection, document: PreparedDocument, passage_ids: Sequence[str]
) -> None:
    """Write a document, its passages and its warnings in one transaction.

    The path's earlier errors are cleared in the same transaction: a fixed file is no longer
    reported as failing.
    """
    sql = _sql()
    meta = document.metadata
    # Rows are built before the transaction: a bad passage fails before anything is written.
    passage_rows = [
        [
            identifier,
            document.doc_id,
            p.ordinal,
            p.text,
            sha256_hex(p.text),
            p.char_start,
            p.char_end,
            p.section,
            p.speaker,
            p.speaker_role,
            list(p.places),
            p.n_words,
        ]
        for identifier, p in zip(passage_ids, document.passages, strict=True)
    ]
    with transaction(con):
        con.execute(
            sql["insert_document"],
            [
                document.doc_id,
                document.path,
                document.source_sha256,
                document.format,
                meta.title,
                meta.doc_type,
                meta.area,
                document.region,
                document.nation,
                document.police_force,
                meta.review_date,
                meta.review_date_precision,
                list(meta.inferred),
                document.text,
                len(document.text),
                utc_now(),
                meta.scope,
            ],
        )
        crash_point("ingest:mid-document")
        con.executemany(sql["insert_passage"], passage_rows)
        con.execute(sql["clear_ingest_errors_for_path"], [document.path])
        for warning in document.warnings:
            record_ingest_error(con, document.path, document.source_sha256, warning, "warning")


def loaded_gazetteer_version(con: duckdb.DuckDBPyConnection) -> str | None:
    """The version of the gazetteer the places table holds, if it holds one."""
    row = con.execute(_sql()["get_meta"], [_GAZETTEER_VERSION]).fetchone()
    return row[0] if row else None


def replace_places(con: duckdb.DuckDBPyConnection, places: Iterable[Place], version: str) -> None:
    """Replace the places table with a gazetteer, and record its version, in one transaction."""
    sql = _sql()
    rows = [
        [
            p.name,
            p.kind,
            p.local_authority,
            p.county,
            p.police_force,
            p.region,
            p.nation,
            list(p.aliases),
            p.ambiguous,
            p.status,
        ]
        for p in places
    ]
    with transaction(con):
        con.execute(sql["delete_places"])
        con.executemany(sql["insert_place"], rows)
        con.execute(sql["set_meta"], [_GAZETTEER_VERSION, version])
