-- What a validation sample is drawn from and shows (pipeline.queries.validation).

-- name: validation_candidates
-- Every passage the latest run coded (interviewers' questions are not coded), with the machine's
-- theme (NULL when it put the passage in none) and the region of its document.
SELECT pt.passage_id,
       CASE WHEN pt.theme_id < 0 THEN NULL ELSE pt.theme_id END AS theme_id,
       d.region
FROM passage_themes AS pt
JOIN passages AS p USING (passage_id)
JOIN documents AS d USING (doc_id)
WHERE pt.run_id = (SELECT run_id FROM latest_theme_run)
ORDER BY pt.passage_id;

-- name: theme_choices
-- The themes a coder may choose from: those the latest run gives passages to.
SELECT t.theme_id, t.label, t.description
FROM themes AS t
WHERE t.theme_id IN (
    SELECT DISTINCT theme_id FROM passage_themes
    WHERE run_id = (SELECT run_id FROM latest_theme_run) AND theme_id >= 0
)
ORDER BY t.label, t.theme_id;

-- name: passage_texts
SELECT passage_id, text FROM passages WHERE list_contains($ids, passage_id);
