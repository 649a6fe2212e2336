-- What the theme stage needs beyond the contract: identity, hierarchy, quotes, codebook links.
ALTER TABLE themes ADD COLUMN centroid FLOAT[];
ALTER TABLE themes ADD COLUMN heading VARCHAR;
ALTER TABLE themes ADD COLUMN generated_label VARCHAR;
ALTER TABLE themes ADD COLUMN quote_passage_ids VARCHAR[];
ALTER TABLE themes ADD COLUMN n_passages INTEGER;
ALTER TABLE themes ADD COLUMN model VARCHAR;
ALTER TABLE themes ADD COLUMN curated BOOLEAN DEFAULT false;
ALTER TABLE theme_runs ADD COLUMN model VARCHAR;
ALTER TABLE theme_runs ADD COLUMN mode VARCHAR;
ALTER TABLE theme_runs ADD COLUMN n_new_themes INTEGER;
ALTER TABLE theme_runs ADD COLUMN outlier_share DOUBLE;
ALTER TABLE theme_runs ADD COLUMN timings JSON;

CREATE TABLE codes (
    code_id VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    description VARCHAR
);

CREATE TABLE passage_codes (
    run_id VARCHAR NOT NULL,
    passage_id VARCHAR NOT NULL,
    code_id VARCHAR NOT NULL,
    similarity DOUBLE NOT NULL,
    PRIMARY KEY (run_id, passage_id, code_id)
);
