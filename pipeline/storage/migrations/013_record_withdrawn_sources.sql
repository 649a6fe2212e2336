-- Sources a person withdrew (`findings withdraw`): a review added by mistake, or one that must
-- no longer count. The document left `documents` (its text and provenance stay in
-- `document_versions`, replaced by 'withdrawn'); the row here keeps a later run from reading the
-- file back in while it is still in the corpus folder, until `findings withdraw --undo`.
CREATE TABLE withdrawn_sources (
    source_path VARCHAR PRIMARY KEY,
    doc_id VARCHAR NOT NULL,             -- the version withdrawn
    title VARCHAR,
    withdrawn_at TIMESTAMP NOT NULL,
    reason VARCHAR
);
