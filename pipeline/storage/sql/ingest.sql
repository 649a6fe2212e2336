-- name: source_paths_ending
-- The sources whose path ends with a given one ("corpus/review.pdf", "review.pdf"), for a person
-- who names a file from another folder than the run read it from.
SELECT source_path
FROM documents
WHERE ends_with(source_path, $ending)
ORDER BY source_path;

-- name: document_by_source_path
-- The current version of the file at a source path (the index on source_path answers it).
SELECT
    doc_id, path, source_path, source_sha256, metadata_sha, given_options, title, area, region,
    nation, police_force, review_date, review_date_precision, doc_type, scope, inferred_fields
FROM documents
WHERE source_path = ?;

-- name: document_by_source
SELECT
    doc_id, path, source_path, source_sha256, metadata_sha, given_options, title, area, region,
    nation, police_force, review_date, review_date_precision, doc_type, scope, inferred_fields
FROM documents
WHERE source_sha256 = ?;

-- name: document_by_id
SELECT
    doc_id, path, source_path, source_sha256, metadata_sha, given_options, title, area, region,
    nation, police_force, review_date, review_date_precision, doc_type, scope, inferred_fields
FROM documents
WHERE doc_id = ?;

-- name: documents_without_source
-- Rows ingested before versions existed, newest first (the newest of a path is its current one).
SELECT doc_id, path FROM documents WHERE source_path IS NULL ORDER BY ingested_at DESC, doc_id;

-- name: set_source_path
-- Where a document's file is now (a moved file, or a row from before versions).
UPDATE documents SET source_path = ?, path = ? WHERE doc_id = ?;

-- name: set_source_path_of_unclaimed
UPDATE documents SET source_path = ? WHERE doc_id = ?;

-- name: insert_document
INSERT INTO documents (
    doc_id, path, source_sha256, format, title, doc_type, area, region, nation, police_force,
    review_date, review_date_precision, inferred_fields, text, n_chars, ingested_at, scope,
    source_path, metadata_sha, given_options
) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?);

-- name: update_document_description
-- New metadata (or new bytes with the same text) for a document whose text is unchanged.
UPDATE documents SET
    path = ?, source_path = ?, source_sha256 = ?, title = ?, doc_type = ?, area = ?, region = ?,
    nation = ?, police_force = ?, review_date = ?, review_date_precision = ?,
    inferred_fields = ?, scope = ?, metadata_sha = ?, given_options = ?
WHERE doc_id = ?;

-- name: record_document_version
-- Keep a version's provenance and text before it leaves `documents`.
INSERT INTO document_versions (
    source_path, doc_id, path, source_sha256, format, title, area, review_date, text,
    n_passages, ingested_at, replaced_at, replaced_by
)
SELECT
    $source_path, d.doc_id, d.path, d.source_sha256, d.format, d.title, d.area, d.review_date,
    d.text, (SELECT count(*) FROM passages AS p WHERE p.doc_id = d.doc_id), d.ingested_at,
    $replaced_at, $replaced_by
FROM documents AS d
WHERE d.doc_id = $doc_id;

-- name: delete_passages_of_document
DELETE FROM passages WHERE doc_id = ?;

-- name: delete_document
DELETE FROM documents WHERE doc_id = ?;

-- name: insert_passages
-- A document's passages in one statement, each column bound as a list (unnest zips them): one
-- insert instead of one per passage, seven times faster than executemany.
INSERT INTO passages (
    passage_id, doc_id, ordinal, text, text_sha, char_start, char_end, section, speaker,
    speaker_role, places, n_words, in_table
)
SELECT unnest($passage_id), unnest($doc_id), unnest($ordinal), unnest($text), unnest($text_sha),
       unnest($char_start), unnest($char_end), unnest($section), unnest($speaker),
       unnest($speaker_role), unnest($places), unnest($n_words), unnest($in_table);

-- name: record_ingest_error
INSERT INTO ingest_errors (path, source_sha256, reason, severity, "at")
VALUES (?, ?, ?, ?, ?)
ON CONFLICT (path, source_sha256, reason) DO UPDATE SET "at" = excluded."at";

-- name: clear_ingest_notes_for_path
-- A path's errors and warnings, before a new version (or description) records its own.
DELETE FROM ingest_errors WHERE path = ?;

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

-- name: set_metadata_sha
-- A document ingested before metadata hashes existed, whose metadata nothing but its text gives.
UPDATE documents SET metadata_sha = ?, given_options = ? WHERE doc_id = ?;

-- name: passages_in_order
-- A document's passages in reading order, with their text hashes (to link a version's
-- unchanged passages to the next version's).
SELECT passage_id, text_sha FROM passages WHERE doc_id = ? ORDER BY ordinal;

-- name: move_successor_links
-- Links that pointed to a passage now retired point to its own successor (links stay flat).
UPDATE passage_successors AS s
SET successor_id = n.successor_id
FROM (SELECT unnest($old) AS passage_id, unnest($new) AS successor_id) AS n
WHERE s.successor_id = n.passage_id;

-- name: insert_successor_links
INSERT OR REPLACE INTO passage_successors (passage_id, successor_id, replaced_at)
SELECT unnest($old), unnest($new), $replaced_at;

-- name: drop_dead_links
-- Links that lead nowhere once the previous version retires: to a passage of it whose text the
-- new version lost, or to itself (a file edited back to an earlier version makes that
-- version's passages current again).
DELETE FROM passage_successors
WHERE passage_id = successor_id
   OR successor_id IN (SELECT passage_id FROM passages WHERE doc_id = $previous);

-- name: record_withdrawn_source
INSERT INTO withdrawn_sources (source_path, doc_id, title, withdrawn_at, reason)
SELECT $source_path, d.doc_id, d.title, $withdrawn_at, $reason
FROM documents AS d
WHERE d.doc_id = $doc_id;

-- name: forget_quotes_of_passages
-- Themes that quote passages now withdrawn lose those quotes and the description built on them
-- (a theme still active is described again by the next run; a dormant one keeps none).
UPDATE themes
SET description = '', quote_passage_ids = list_filter(quote_passage_ids, q -> NOT list_contains($gone, q))
WHERE list_has_any(quote_passage_ids, $gone);

-- name: withdrawn_source
SELECT source_path, doc_id, title, withdrawn_at, reason
FROM withdrawn_sources
WHERE source_path = ?;

-- name: withdrawn_sources
SELECT source_path, doc_id, title, withdrawn_at, reason
FROM withdrawn_sources
ORDER BY withdrawn_at, source_path;

-- name: restore_withdrawn_source
DELETE FROM withdrawn_sources WHERE source_path = ? RETURNING source_path;
