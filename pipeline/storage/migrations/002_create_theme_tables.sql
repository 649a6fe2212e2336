-- The embedding cache and theme runs (filled by the embed and themes stages).
CREATE TABLE embeddings (
    text_sha VARCHAR NOT NULL,
    model VARCHAR NOT NULL,
    vector FLOAT[] NOT NULL,
    PRIMARY KEY (text_sha, model)
);

CREATE TABLE theme_runs (
    run_id VARCHAR PRIMARY KEY,
    started_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP,
    params JSON,
    n_passages INTEGER,
    n_themes INTEGER,
    status VARCHAR NOT NULL
);

CREATE TABLE themes (
    theme_id INTEGER PRIMARY KEY,
    label VARCHAR NOT NULL,
    keywords VARCHAR[],
    description VARCHAR,
    status VARCHAR NOT NULL,
    first_run_id VARCHAR,
    last_run_id VARCHAR
);

CREATE TABLE passage_themes (
    run_id VARCHAR NOT NULL,
    passage_id VARCHAR NOT NULL,
    theme_id INTEGER NOT NULL,
    probability DOUBLE,
    PRIMARY KEY (run_id, passage_id)
);
