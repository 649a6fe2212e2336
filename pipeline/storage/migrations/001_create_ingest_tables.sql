-- Documents, their passages, the gazetteer and the ingest error log.
CREATE TABLE documents (
    doc_id VARCHAR PRIMARY KEY,          -- sha256 of the canonical text
    path VARCHAR NOT NULL,
    source_sha256 VARCHAR NOT NULL,      -- sha256 of the file's bytes: a rerun skips before parsing
    format VARCHAR NOT NULL,
    title VARCHAR,
    doc_type VARCHAR NOT NULL,
    area VARCHAR,
    region VARCHAR,
    nation VARCHAR,
    police_force VARCHAR,
    review_date DATE,
    review_date_precision VARCHAR,       -- 'day' or 'month'
    inferred_fields VARCHAR[] NOT NULL,  -- metadata Findings guessed rather than was told
    text VARCHAR NOT NULL,               -- canonical text: every offset refers to it
    n_chars INTEGER NOT NULL,
    ingested_at TIMESTAMP NOT NULL
);
CREATE INDEX documents_source_sha256 ON documents (source_sha256);

CREATE TABLE passages (
    passage_id VARCHAR PRIMARY KEY,      -- sha256 of doc_id and the character span
    doc_id VARCHAR NOT NULL,
    ordinal INTEGER NOT NULL,
    text VARCHAR NOT NULL,               -- == documents.text[char_start:char_end]
    text_sha VARCHAR NOT NULL,           -- sha256 of text: the embedding cache key
    char_start INTEGER NOT NULL,
    char_end INTEGER NOT NULL,
    section VARCHAR,
    speaker VARCHAR,
    speaker_role VARCHAR,
    places VARCHAR[] NOT NULL,
    n_words INTEGER NOT NULL
);
CREATE INDEX passages_doc_id ON passages (doc_id);

CREATE TABLE places (
    name VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    local_authority VARCHAR,
    county VARCHAR,
    police_force VARCHAR,
    region VARCHAR,
    nation VARCHAR,
    aliases VARCHAR[] NOT NULL,
    ambiguous BOOLEAN NOT NULL,
    status VARCHAR NOT NULL,
    PRIMARY KEY (name, kind)
);

CREATE TABLE ingest_errors (
    path VARCHAR NOT NULL,
    source_sha256 VARCHAR NOT NULL,      -- '' when the file could not be read at all
    reason VARCHAR NOT NULL,
    severity VARCHAR NOT NULL,           -- 'error' (not ingested) or 'warning' (ingested)
    "at" TIMESTAMP NOT NULL,
    PRIMARY KEY (path, source_sha256, reason)
);

CREATE TABLE meta (
    key VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);
