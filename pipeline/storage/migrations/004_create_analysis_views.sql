-- The latest successful theme run and its assignments: what every analysis reads.
CREATE VIEW latest_theme_run AS
SELECT run_id, finished_at
FROM theme_runs
WHERE status = 'succeeded'
ORDER BY finished_at DESC, run_id DESC
LIMIT 1;

CREATE VIEW current_passage_themes AS
SELECT pt.passage_id, pt.theme_id, pt.probability
FROM passage_themes AS pt
JOIN latest_theme_run AS r USING (run_id)
WHERE pt.theme_id <> -1;

-- Which reviews raise which themes (a review raises a theme when any passage is on it).
CREATE VIEW document_themes AS
SELECT p.doc_id, cpt.theme_id, count(*) AS n_passages
FROM current_passage_themes AS cpt
JOIN passages AS p USING (passage_id)
GROUP BY ALL;

-- The documents that pass the standard filters (NULL = no filter; until is exclusive).
CREATE MACRO filtered_documents(f_region, f_area, f_force, f_since, f_until, f_doc_type) AS TABLE
SELECT *
FROM documents
WHERE (f_region IS NULL OR region = f_region)
  AND (f_area IS NULL OR area = f_area)
  AND (f_force IS NULL OR police_force = f_force)
  AND (f_since IS NULL OR review_date >= CAST(f_since AS DATE))
  AND (f_until IS NULL OR review_date < CAST(f_until AS DATE))
  AND (f_doc_type IS NULL OR doc_type = f_doc_type);
