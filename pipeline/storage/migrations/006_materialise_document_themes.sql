-- Which reviews raise which themes, stored per theme run instead of aggregated from every
-- passage on each read: at a million passages the aggregate cost ~0.3 s per page.
CREATE TABLE document_theme_counts (
    run_id VARCHAR NOT NULL,
    doc_id VARCHAR NOT NULL,
    theme_id INTEGER NOT NULL,
    n_passages INTEGER NOT NULL
);

INSERT INTO document_theme_counts
SELECT pt.run_id, p.doc_id, pt.theme_id, count(*)
FROM passage_themes AS pt
JOIN passages AS p USING (passage_id)
WHERE pt.theme_id <> -1
GROUP BY ALL;

CREATE OR REPLACE VIEW document_themes AS
SELECT dtc.doc_id, dtc.theme_id, dtc.n_passages
FROM document_theme_counts AS dtc
JOIN latest_theme_run AS r USING (run_id);
