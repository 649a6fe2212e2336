-- What splitting a theme reads from a snapshot (pipeline.cli.coding.codebook_split).

-- name: latest_assignments
-- Every passage's theme in the latest run (-1: none), and the embedding model of that run.
SELECT pt.passage_id, pt.theme_id, r.model
FROM passage_themes AS pt
JOIN theme_runs AS r USING (run_id)
WHERE pt.run_id = (SELECT run_id FROM latest_theme_run)
ORDER BY pt.passage_id;
