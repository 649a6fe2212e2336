"""Ingest's reads and writes: documents with their passages, ingest errors and the places table.

Every statement is named SQL in `sql/ingest.sql`; callers get records, never result rows.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
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
class DocumentDescription:
    """What metadata resolution made of a document: compared to tell whether a rerun changed it."""

    title: str | None
    doc_type: str | None
    area: str | None
    region: str | None
    nation: str | None
    police_force: str | None
    review_date: dt.date | None
    review_date_precision: str | None
    scope: str
    inferred_fields: tuple[str, ...]


@dataclass(frozen=True)
class DocumentSource:
    """Where a version came from besides its text.

    The source (resolved path) it is a version of, and the hash of the inputs and the
    command-line options its metadata was resolved with.
    """

    source_path: str
    metadata_sha: str
    given_options: dict[str, str | None]


@dataclass(frozen=True)
class StoredDocument:
    """A document already in the warehouse, as far as a rerun needs to know it.

    `source_path` and `metadata_sha` are None for rows ingested before versions existed.
    """

    doc_id: str
    path: str
    source_path: str | None
    source_sha256: str
    metadata_sha: str | None
    given_options: dict[str, str | None]
    description: DocumentDescription


@dataclass(frozen=True)
class UnclaimedDocument:
    """A document ingested before versions existed: no source path recorded yet."""

    doc_id: str
    path: str


def describe(document: PreparedDocument) -> DocumentDescription:
    """A prepared document's description, as `documents` would hold it."""
    meta = document.metadata
    return DocumentDescription(
        title=meta.title,
        doc_type=meta.doc_type,
        area=meta.area,
        region=document.region,
        nation=document.nation,
        police_force=document.police_force,
        review_date=meta.review_date,
        review_date_precision=meta.review_date_precision,
        scope=meta.scope,
        inferred_fields=tuple(meta.inferred),
    )


_DESCRIPTION_COLUMNS = tuple(f.name for f in fields(DocumentDescription))


def _sql() -> dict[str, str]:
    return named_queries("ingest")


def _stored(cursor: duckdb.DuckDBPyConnection) -> StoredDocument | None:
    row = cursor.fetchone()
    if row is None:
        return None
    values = dict(zip([column[0] for column in cursor.description], row, strict=True))
    options = values.pop("given_options")
    described = {name: values.pop(name) for name in _DESCRIPTION_COLUMNS}
    described["inferred_fields"] = tuple(described["inferred_fields"])
    return StoredDocument(
        **values,
        given_options=json.loads(options) if options else {},
        description=DocumentDescription(**described),
    )


def document_by_source_path(
    con: duckdb.DuckDBPyConnection, source_path: str
) -> StoredDocument | None:
    """The current version of the file at this source path, if any."""
    return _stored(con.execute(_sql()["document_by_source_path"], [source_path]))


def source_paths_ending(con: duckdb.DuckDBPyConnection, ending: str) -> list[str]:
    """The source paths that end with `ending` after a path separator (or are it)."""
    rows = con.execute(_sql()["source_paths_ending"], {"ending": "/" + ending.lstrip("/")})
    return [row[0] for row in rows.fetchall()]


def document_by_source(con: duckdb.DuckDBPyConnection, source_sha: str) -> StoredDocument | None:
    """The document made from a file with these bytes, if any."""
    return _stored(con.execute(_sql()["document_by_source"], [source_sha]))


def document_by_id(con: duckdb.DuckDBPyConnection, doc_id: str) -> StoredDocument | None:
    """The document with this text (its id is the hash of its text), if any."""
    return _stored(con.execute(_sql()["document_by_id"], [doc_id]))


def documents_without_source(con: duckdb.DuckDBPyConnection) -> list[UnclaimedDocument]:
    """Documents ingested before versions existed, newest first."""
    rows = con.execute(_sql()["documents_without_source"]).fetchall()
    return [UnclaimedDocument(doc_id=doc_id, path=path) for doc_id, path in rows]


def claim_sources(
    con: duckdb.DuckDBPyConnection, claims: Mapping[str, Sequence[str]], replaced_at: dt.datetime
) -> None:
    """Give each source path its document, in one transaction.

    `claims` maps a source path to the doc_ids ingested from it, newest first: the newest is its
    current version, and any older ones (left by in-place edits before versions existed, each
    counted as a document of its own) are retired as earlier versions of it.
    """
    sql = _sql()
    with transaction(con):
        for source_path, doc_ids in claims.items():
            current, *older = doc_ids
            con.execute(sql["set_source_path_of_unclaimed"], [source_path, current])
            for doc_id in older:
                _retire(con, doc_id, source_path, current, replaced_at)


def set_source_path(
    con: duckdb.DuckDBPyConnection, doc_id: str, source_path: str, path: str
) -> None:
    """Record where a document's file is now: found again, or moved."""
    con.execute(_sql()["set_source_path"], [source_path, path, doc_id])


def set_metadata_sha(con: duckdb.DuckDBPyConnection, doc_id: str, source: DocumentSource) -> None:
    """Record the metadata hash and options of a document whose description stands as it is."""
    con.execute(
        _sql()["set_metadata_sha"],
        [source.metadata_sha, json.dumps(source.given_options, sort_keys=True), doc_id],
    )


def record_ingest_error(
    con: duckdb.DuckDBPyConnection, path: str, source_sha: str, reason: str, severity: Severity
) -> None:
    """Record why a file failed (or what to check about it); a repeat only moves its time."""
    con.execute(_sql()["record_ingest_error"], [path, source_sha, reason, severity, utc_now()])


def _passage_rows(document: PreparedDocument, passage_ids: Sequence[str]) -> dict[str, list]:
    """The passages as columns, by name (bound as lists: one insert for the document)."""
    passages = document.passages
    columns: dict[str, list] = {
        "passage_id": list(passage_ids),
        "doc_id": [document.doc_id] * len(passages),
        "ordinal": [p.ordinal for p in passages],
        "text": [p.text for p in passages],
        "text_sha": [sha256_hex(p.text) for p in passages],
        "char_start": [p.char_start for p in passages],
        "char_end": [p.char_end for p in passages],
        "section": [p.section for p in passages],
        "speaker": [p.speaker for p in passages],
        "speaker_role": [p.speaker_role for p in passages],
        "places": [list(p.places) for p in passages],
        "n_words": [p.n_words for p in passages],
        "in_table": [p.in_table for p in passages],
    }
    if len(columns["passage_id"]) != len(passages):
        raise ValueError(f"{len(passage_ids)} passage ids for {len(passages)} passages")
    return columns


def _insert(
    con: duckdb.DuckDBPyConnection,
    document: PreparedDocument,
    passage_rows: dict[str, list],
    source: DocumentSource,
) -> None:
    """Insert a document, its passages and its warnings (inside the caller's transaction)."""
    sql = _sql()
    meta = document.metadata
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
            source.source_path,
            source.metadata_sha,
            json.dumps(source.given_options, sort_keys=True),
        ],
    )
    crash_point("ingest:mid-document")
    if passage_rows["passage_id"]:
        con.execute(sql["insert_passages"], passage_rows)
    _renote(con, document)


def clear_ingest_notes(con: duckdb.DuckDBPyConnection, path: str) -> None:
    """Forget a path's recorded errors and warnings (before recording what holds now)."""
    con.execute(_sql()["clear_ingest_notes_for_path"], [path])


def _renote(con: duckdb.DuckDBPyConnection, document: PreparedDocument) -> None:
    """The path's earlier errors and warnings give way to this version's warnings."""
    clear_ingest_notes(con, document.path)
    for warning in document.warnings:
        record_ingest_error(con, document.path, document.source_sha256, warning, "warning")


def _retire(
    con: duckdb.DuckDBPyConnection,
    doc_id: str,
    source_path: str,
    replaced_by: str,
    replaced_at: dt.datetime,
) -> None:
    """Keep a version's provenance in `document_versions`, then remove it and its passages."""
    sql = _sql()
    con.execute(
        sql["record_document_version"],
        {
            "source_path": source_path,
            "replaced_at": replaced_at,
            "replaced_by": replaced_by,
            "doc_id": doc_id,
        },
    )
    con.execute(sql["delete_passages_of_document"], [doc_id])
    con.execute(sql["delete_document"], [doc_id])


def write_document(
    con: duckdb.DuckDBPyConnection,
    document: PreparedDocument,
    passage_ids: Sequence[str],
    source: DocumentSource,
) -> None:
    """Write a document, its passages and its warnings in one transaction.

    The path's earlier errors are cleared in the same transaction: a fixed file is no longer
    reported as failing.
    """
    # Rows are built before the transaction: a bad passage fails before anything is written.
    rows = _passage_rows(document, passage_ids)
    with transaction(con):
        _insert(con, document, rows, source)


def replace_document(
    con: duckdb.DuckDBPyConnection,
    previous: StoredDocument,
    document: PreparedDocument,
    passage_ids: Sequence[str],
    source: DocumentSource,
) -> None:
    """Replace a source's previous version with a new one in one transaction.

    The previous version's provenance and text move to `document_versions`; its passages leave
    `passages`, so no count sees both versions. A kill midway leaves the previous version whole.
    """
    rows = _passage_rows(document, passage_ids)
    with transaction(con):
        replaced_at = utc_now()
        _link_successors(con, previous.doc_id, rows, replaced_at)
        _retire(con, previous.doc_id, source.source_path, document.doc_id, replaced_at)
        crash_point("ingest:mid-replace")
        _insert(con, document, rows, source)


def _link_successors(
    con: duckdb.DuckDBPyConnection,
    previous_doc: str,
    rows: dict[str, list],
    replaced_at: dt.datetime,
) -> None:
    """Link each passage of the retiring version to the new one's with the same text.

    A text found several times pairs in reading order (its first with the first); a passage
    whose text the new version lost gets no link, and links that led to it are dropped.
    """
    sql = _sql()
    waiting: dict[str, list[str]] = {}
    for passage, text_sha in zip(rows["passage_id"], rows["text_sha"], strict=True):
        waiting.setdefault(text_sha, []).append(passage)
    old, new = [], []
    for passage, text_sha in con.execute(sql["passages_in_order"], [previous_doc]).fetchall():
        if waiting.get(text_sha):
            old.append(passage)
            new.append(waiting[text_sha].pop(0))
    if old:
        con.execute(sql["move_successor_links"], {"old": old, "new": new})
        con.execute(
            sql["insert_successor_links"], {"old": old, "new": new, "replaced_at": replaced_at}
        )
    con.execute(sql["drop_dead_links"], {"previous": previous_doc})


def retire_document(
    con: duckdb.DuckDBPyConnection, previous: StoredDocument, source_path: str, replaced_by: str
) -> None:
    """Retire a source's version whose file now holds another document's text (a duplicate)."""
    with transaction(con):
        _retire(con, previous.doc_id, source_path, replaced_by, utc_now())


WITHDRAWN = "withdrawn"  # `replaced_by` of a version a person withdrew


@dataclass(frozen=True)
class WithdrawnSource:
    """A source a person withdrew, which ingest leaves out until it is brought back."""

    source_path: str
    doc_id: str
    title: str | None
    withdrawn_at: dt.datetime
    reason: str | None


def withdraw_document(
    con: duckdb.DuckDBPyConnection, stored: StoredDocument, source_path: str, reason: str | None
) -> WithdrawnSource:
    """Withdraw a source's current version in one transaction, and keep it out of later runs.

    Its text and provenance move to `document_versions` (replaced by 'withdrawn'), its passages
    leave `passages`, and links from earlier versions' passages to them are dropped.
    """
    sql = _sql()
    with transaction(con):
        withdrawn_at = utc_now()
        con.execute(
            sql["record_withdrawn_source"],
            {
                "source_path": source_path,
                "doc_id": stored.doc_id,
                "withdrawn_at": withdrawn_at,
                "reason": reason,
            },
        )
        con.execute(sql["drop_dead_links"], {"previous": stored.doc_id})
        gone = [row[0] for row in con.execute(sql["passages_in_order"], [stored.doc_id]).fetchall()]
        if gone:
            # A dormant theme's description quoted it: nothing of its words stays on show.
            con.execute(sql["forget_quotes_of_passages"], {"gone": gone})
        # Its warnings went with it: status and Sources list only what still counts.
        clear_ingest_notes(con, stored.path)
        _retire(con, stored.doc_id, source_path, WITHDRAWN, withdrawn_at)
    return WithdrawnSource(
        source_path, stored.doc_id, stored.description.title, withdrawn_at, reason
    )


def withdrawn_source(con: duckdb.DuckDBPyConnection, source_path: str) -> WithdrawnSource | None:
    """The withdrawal of this source, if it is withdrawn."""
    row = con.execute(_sql()["withdrawn_source"], [source_path]).fetchone()
    return WithdrawnSource(*row) if row else None


def withdrawn_sources(con: duckdb.DuckDBPyConnection) -> list[WithdrawnSource]:
    """Every withdrawn source, oldest withdrawal first."""
    return [WithdrawnSource(*row) for row in con.execute(_sql()["withdrawn_sources"]).fetchall()]


def restore_source(con: duckdb.DuckDBPyConnection, source_path: str) -> bool:
    """Let ingest read a withdrawn source again; False when it was not withdrawn."""
    with transaction(con):
        return con.execute(_sql()["restore_withdrawn_source"], [source_path]).fetchone() is not None


def update_description(
    con: duckdb.DuckDBPyConnection, document: PreparedDocument, source: DocumentSource
) -> None:
    """Apply new metadata (or new bytes with the same text) to a stored document.

    Its passages are untouched: they depend on the text alone, which has not changed.
    """
    described = describe(document)
    with transaction(con):
        con.execute(
            _sql()["update_document_description"],
            [
                document.path,
                source.source_path,
                document.source_sha256,
                described.title,
                described.doc_type,
                described.area,
                described.region,
                described.nation,
                described.police_force,
                described.review_date,
                described.review_date_precision,
                list(described.inferred_fields),
                described.scope,
                source.metadata_sha,
                json.dumps(source.given_options, sort_keys=True),
                document.doc_id,
            ],
        )
        _renote(con, document)


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
