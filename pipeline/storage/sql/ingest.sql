-- name: document_by_source
SELECT doc_id, path FROM documents WHERE source_sha256 = ?;

-- name: document_by_id
SELECT doc_id, path FROM documents WHERE doc_id = ?;

-- name: insert_document
INSERT INTO documents (
    doc_id, path, source_sha256, format, title, doc_type, area, region, nation, police_force,
    review_date, review_date_precision, inferred_fields, text, n_chars, ingested_at, scope
) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?);

-- name: insert_passage
INSERT INTO passages (
    passage_id, doc_id, ordinal, text, text_sha, char_start, char_end, section, speaker,
    speaker_role, places, n_words
) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?);

-- name: record_ingest_error
INSERT INTO ingest_errors (path, source_sha256, reason, severity, "at")
VALUES (?, ?, ?, ?, ?)
ON CONFLICT (path, source_sha256, reason) DO UPDATE SET "at" = excluded."at";

-- name: clear_ingest_errors_for_path
DELETE FROM ingest_errors WHERE path = ? AND severity = 'error';

-- name: delete_places
DELETE FROM places;

-- name: insert_place
INSERT INTO places (
    name, kind, local_authority, county, police_force, region, nation, aliases, ambiguous, status
) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?);

-- name: get_meta
SELECT value FROM meta WHERE key = ?;

-- name: set_meta
INSERT INTO meta (key, value) VALUES (?, ?)
ON CONFLICT (key) DO UPDATE SET value = excluded.value;
