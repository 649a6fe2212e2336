-- A document's identity is its source (the file's resolved path); its content is a version. An
-- edited file replaces its earlier version, whose provenance and text stay here for audit while
-- its passages leave `passages`, so nothing counts twice. Rows ingested before this migration
-- have no source_path until a rerun claims them (pipeline/ingest/ingester.py).
ALTER TABLE documents ADD COLUMN source_path VARCHAR;
-- sha256 of what metadata is resolved from besides the text (manifest row, sidecar, options):
-- a rerun re-resolves a document's metadata only when this changes.
ALTER TABLE documents ADD COLUMN metadata_sha VARCHAR;
-- The command-line options that applied (JSON); a later run without options keeps them.
ALTER TABLE documents ADD COLUMN given_options VARCHAR;
CREATE INDEX documents_source_path ON documents (source_path);

CREATE TABLE document_versions (
    source_path VARCHAR NOT NULL,
    doc_id VARCHAR NOT NULL,             -- the version's text hash (its passages are gone)
    path VARCHAR NOT NULL,
    source_sha256 VARCHAR NOT NULL,
    format VARCHAR NOT NULL,
    title VARCHAR,
    area VARCHAR,
    review_date DATE,
    text VARCHAR NOT NULL,               -- kept, so that an auditor can see what changed
    n_passages INTEGER NOT NULL,
    ingested_at TIMESTAMP NOT NULL,
    replaced_at TIMESTAMP NOT NULL,
    replaced_by VARCHAR NOT NULL         -- doc_id of the version (or duplicate) that followed
);
CREATE INDEX document_versions_source_path ON document_versions (source_path);
