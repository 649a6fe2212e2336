-- Theme runs, what the latest changed, and ingest problems (pipeline.queries.runs).

-- name: latest_run_id
SELECT run_id FROM latest_theme_run;

-- name: first_run_id
SELECT run_id FROM theme_runs WHERE status = 'succeeded'
ORDER BY finished_at, run_id LIMIT 1;

-- name: latest_run
SELECT run_id, started_at, finished_at, mode, model, params, n_passages, n_themes, outlier_share
FROM theme_runs
WHERE run_id = (SELECT run_id FROM latest_theme_run);

-- name: run_history
SELECT run_id, started_at, finished_at, mode, model, n_passages, n_themes, n_new_themes,
       outlier_share, status, params
FROM theme_runs
ORDER BY started_at DESC, run_id DESC;

-- name: documents_since
-- Reviews ingested after a moment (the previous run's end), newest first; `edited` when the
-- document is a new version of a review already there (its file was edited), not a new review.
SELECT
    title, area, region, review_date, doc_type, scope, ingested_at,
    EXISTS (SELECT 1 FROM document_versions AS v WHERE v.replaced_by = d.doc_id) AS edited
FROM documents AS d
WHERE ingested_at > $since
ORDER BY ingested_at DESC, title;

-- name: themes_gone_dormant
-- Dormant themes last seen in the previous run went dormant in the latest one.
SELECT theme_id FROM themes WHERE status = 'dormant' AND last_run_id = $previous
ORDER BY theme_id;

-- name: ingest_errors
SELECT path, severity, reason, "at"
FROM ingest_errors
ORDER BY severity, "at" DESC, path;

-- name: withdrawn_reviews
-- Reviews a person withdrew with `findings withdraw`, newest first.
SELECT title, source_path, withdrawn_at, reason
FROM withdrawn_sources
ORDER BY withdrawn_at DESC, source_path;

-- name: withdrawn_since
-- Reviews withdrawn by hand since a run finished.
SELECT title, reason FROM withdrawn_sources WHERE withdrawn_at > $since ORDER BY withdrawn_at;

-- name: themes_first_seen
-- Themes first found by a run.
SELECT theme_id FROM themes WHERE first_run_id = $run ORDER BY theme_id;

-- name: abort_unfinished_runs
-- Theme runs still marked running when another starts under the run lock died midway (killed,
-- crashed): their work was never committed, so they are recorded as aborted.
UPDATE theme_runs SET status = 'aborted', finished_at = $finished_at
WHERE status = 'running'
RETURNING run_id;

-- name: lineage_of_run
-- One run's splits and merges: the themes each took passages from and gave them to.
SELECT from_theme_ids, to_theme_ids FROM theme_lineage
WHERE run_id = $run
ORDER BY kind DESC, from_theme_ids, to_theme_ids;

-- name: theme_lineage
-- Every split and merge, oldest first, with when the run that made it finished.
SELECT l.run_id, r.finished_at, l.kind, l.from_theme_ids, l.to_theme_ids, l.passages_moved
FROM theme_lineage AS l
JOIN theme_runs AS r USING (run_id)
WHERE r.status = 'succeeded'
ORDER BY r.finished_at, l.run_id, l.kind DESC, l.from_theme_ids;

-- name: theme_first_seen
-- The run that first found a theme, and when it finished.
SELECT t.theme_id, t.first_run_id, r.finished_at AS first_seen_at
FROM themes AS t
LEFT JOIN theme_runs AS r ON r.run_id = t.first_run_id
WHERE t.theme_id = $theme;
