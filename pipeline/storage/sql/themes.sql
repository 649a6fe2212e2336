-- name: passages_for_themes
-- The evidence: every embedded passage except interviewers' questions, which give context
-- to quotes but are not what practitioners said, and data tables' rows (a report's figures).
SELECT p.passage_id, p.text, p.doc_id, p.ordinal, d.area, d.scope
FROM passages AS p
JOIN documents AS d USING (doc_id)
JOIN embeddings AS e ON e.text_sha = p.text_sha AND e.model = ?
WHERE p.speaker_role IS DISTINCT FROM 'interviewer' AND NOT coalesce(p.in_table, false)
ORDER BY p.passage_id;

-- name: passage_census
-- How the warehouse's passages divide, so that a run's counts can be shown adding up.
SELECT count(*) AS passages,
       count(*) FILTER (WHERE speaker_role = 'interviewer') AS questions,
       count(*) FILTER (
           WHERE coalesce(in_table, false) AND speaker_role IS DISTINCT FROM 'interviewer'
       ) AS table_rows,
       count(DISTINCT text_sha) AS distinct_texts
FROM passages;

-- name: last_succeeded_run
SELECT run_id, model FROM theme_runs
WHERE status = 'succeeded'
ORDER BY finished_at DESC, run_id DESC
LIMIT 1;

-- name: last_full_fit
-- The latest succeeded run of a model that fitted every passage afresh (a refit, the first run).
SELECT run_id FROM theme_runs
WHERE status = 'succeeded' AND coalesce(mode, 'refit') = 'refit' AND model = ?
ORDER BY finished_at DESC, run_id DESC
LIMIT 1;

-- name: run_assignments
SELECT passage_id, theme_id FROM passage_themes WHERE run_id = ?;

-- name: known_themes
SELECT theme_id, label, keywords, description, status, first_run_id, centroid, curated
FROM themes
WHERE model = ?
ORDER BY theme_id;

-- name: max_theme_id
SELECT coalesce(max(theme_id), 0) AS max_theme_id FROM themes;

-- name: max_machine_theme_id
SELECT coalesce(max(theme_id), 0) AS max_theme_id FROM themes WHERE theme_id < ?;

-- name: start_run
INSERT INTO theme_runs (run_id, started_at, params, status, model, mode)
VALUES (?, ?, ?, 'running', ?, ?);

-- name: finish_run
UPDATE theme_runs
SET finished_at = ?, n_passages = ?, n_themes = ?, n_new_themes = ?, outlier_share = ?,
    timings = ?, status = 'succeeded'
WHERE run_id = ?;

-- name: upsert_theme
INSERT INTO themes (
    theme_id, label, keywords, description, status, first_run_id, last_run_id, centroid,
    heading, generated_label, quote_passage_ids, n_passages, model, curated
) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (theme_id) DO UPDATE SET
    label = excluded.label,
    keywords = excluded.keywords,
    description = excluded.description,
    status = excluded.status,
    last_run_id = excluded.last_run_id,
    centroid = excluded.centroid,
    heading = excluded.heading,
    generated_label = excluded.generated_label,
    quote_passage_ids = excluded.quote_passage_ids,
    n_passages = excluded.n_passages,
    curated = excluded.curated;

-- name: mark_dormant
UPDATE themes SET status = 'dormant', n_passages = 0 WHERE theme_id = ?;

-- name: insert_assignments_from_frame
-- One run's assignments, from the DataFrame registered as run_assignments_frame.
INSERT INTO passage_themes
SELECT run_id, passage_id, theme_id, probability FROM run_assignments_frame;

-- name: insert_passage_codes_from_frame
-- One run's passage-to-guided-theme relations, from the DataFrame registered as run_codes_frame.
INSERT INTO passage_codes
SELECT run_id, passage_id, code_id, similarity FROM run_codes_frame;

-- name: theme_summary
SELECT theme_id, label, status, heading, n_passages, keywords
FROM themes
WHERE status <> 'dormant'
ORDER BY n_passages DESC, theme_id;

-- name: cached_code_vector
SELECT vector FROM codes WHERE code_id = ? AND text_sha = ? AND model = ?;

-- name: cache_code_vector
INSERT INTO codes (code_id, name, description, text_sha, model, vector)
VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (code_id) DO UPDATE SET
    name = excluded.name, description = excluded.description, text_sha = excluded.text_sha,
    model = excluded.model, vector = excluded.vector;

-- name: count_document_themes
-- One run's reviews x themes (read by the document_themes view).
INSERT INTO document_theme_counts
SELECT pt.run_id, p.doc_id, pt.theme_id, count(*)
FROM passage_themes AS pt
JOIN passages AS p USING (passage_id)
WHERE pt.run_id = ? AND pt.theme_id <> -1
GROUP BY ALL;

-- name: insert_lineage
INSERT INTO theme_lineage (
    run_id, kind, from_theme_ids, to_theme_ids, passages_moved, recorded_at
) VALUES (?, ?, ?, ?, ?, ?);

-- name: run_lineage
-- One run's splits and merges, in the order they were recorded.
SELECT kind, from_theme_ids, to_theme_ids, passages_moved
FROM theme_lineage
WHERE run_id = ?
ORDER BY kind DESC, from_theme_ids, to_theme_ids;

-- name: insert_run_decisions_from_frame
-- The people's decisions one run applied, from the DataFrame registered as run_decisions_frame.
INSERT INTO run_decisions
SELECT run_id, passage_id, theme_id, state, machine_theme_id, disagrees, coder, decided_at, why
FROM run_decisions_frame;

-- name: count_run_decisions
-- How many decisions a run applied, and where the machine proposed otherwise.
UPDATE theme_runs
SET n_decisions = (SELECT count(*) FROM run_decisions WHERE run_id = $run_id),
    n_disagreements = (
        SELECT count(*) FROM run_decisions WHERE run_id = $run_id AND disagrees
    )
WHERE run_id = $run_id;

-- name: run_decisions
-- One run's applied decisions, passage by passage.
SELECT passage_id, theme_id, state, machine_theme_id, disagrees, coder, decided_at, why
FROM run_decisions
WHERE run_id = ?
ORDER BY passage_id, theme_id;

-- name: machine_assignments
-- One run's assignments as the machine proposed them: where a person moved a passage or took
-- it off its theme, the machine's own proposal (kept in run_decisions) instead of theirs. The
-- next run places passages from the machine's history, so its disagreements stay visible.
SELECT pt.passage_id, coalesce(any_value(rd.machine_theme_id), pt.theme_id) AS theme_id
FROM passage_themes AS pt
LEFT JOIN run_decisions AS rd
    ON rd.run_id = pt.run_id AND rd.passage_id = pt.passage_id AND rd.state <> 'added'
WHERE pt.run_id = ?
GROUP BY pt.passage_id, pt.theme_id;

-- name: last_known_assignments
-- Passages ($ids) with their theme in the last succeeded run of $model that held them, as
-- people left it (theme_id) and as the machine proposed it there (machine_theme_id).
WITH latest AS (
    SELECT pt.passage_id, arg_max(pt.run_id, r.finished_at) AS run_id
    FROM passage_themes AS pt
    JOIN theme_runs AS r USING (run_id)
    WHERE r.status = 'succeeded' AND r.model = $model
        AND pt.passage_id IN (SELECT unnest($ids))  -- a hash join: $ids may be a whole corpus
    GROUP BY pt.passage_id
)
SELECT
    pt.passage_id,
    pt.theme_id,
    coalesce(any_value(rd.machine_theme_id), pt.theme_id) AS machine_theme_id
FROM latest
JOIN passage_themes AS pt USING (passage_id, run_id)
LEFT JOIN run_decisions AS rd
    ON rd.run_id = pt.run_id AND rd.passage_id = pt.passage_id AND rd.state <> 'added'
GROUP BY pt.passage_id, pt.theme_id;

-- name: passage_successors
-- Each retired passage and the passage holding its text in its document's latest version.
SELECT passage_id, successor_id FROM passage_successors;
