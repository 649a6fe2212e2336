-- name: counts
SELECT
    (SELECT count(*) FROM documents WHERE scope = 'local') AS documents,
    (SELECT count(*) FROM documents WHERE scope = 'national') AS national_documents,
    (SELECT count(*) FROM passages) AS passages,
    (SELECT count(*) FROM places) AS places,
    (SELECT count(*) FROM ingest_errors WHERE severity = 'error') AS errors,
    (SELECT count(*) FROM ingest_errors WHERE severity = 'warning') AS warnings;

-- name: coverage
-- What the locality reviews cover (national documents cover no one area).
SELECT
    count(DISTINCT area) AS areas,
    count(DISTINCT region) AS regions,
    min(review_date) AS first_review,
    max(review_date) AS last_review
FROM documents
WHERE scope = 'local';

-- name: documents_by_region
SELECT
    CASE WHEN d.scope = 'national' THEN '(national documents)'
         ELSE coalesce(d.region, '(unknown)') END AS region,
    count(DISTINCT d.doc_id) AS documents,
    count(DISTINCT d.area) AS areas,
    count(p.passage_id) AS passages
FROM documents AS d
LEFT JOIN passages AS p USING (doc_id)
GROUP BY 1
ORDER BY documents DESC, region;

-- name: recent_errors
SELECT path, reason, severity, "at" FROM ingest_errors ORDER BY "at" DESC, path LIMIT $limit;

-- name: latest_run
SELECT run_id, finished_at, n_passages, n_themes, outlier_share, mode
FROM theme_runs
WHERE status = 'succeeded'
ORDER BY finished_at DESC, run_id DESC
LIMIT 1;

-- name: themes_overview
-- A theme's lifecycle (new in the run that found it, else active) is not its status: the CLI
-- takes that from the query layer's theme overview (trend and spread), as `query themes` does.
SELECT
    t.theme_id,
    t.label,
    t.status AS lifecycle,
    t.heading,
    -- Locality reviews only, as `query themes` and the viewer count: a national document's
    -- passages are quoted, never counted (counting them gave one theme 207 passages here and
    -- 104 there).
    count(DISTINCT p.doc_id) FILTER (WHERE d.scope = 'local') AS documents,
    count(DISTINCT d.area) FILTER (WHERE d.scope = 'local') AS areas,
    count(DISTINCT d.region) FILTER (WHERE d.scope = 'local') AS regions,
    count(*) FILTER (WHERE d.scope = 'local') AS passages
FROM passage_themes AS pt
JOIN themes AS t USING (theme_id)
JOIN passages AS p USING (passage_id)
JOIN documents AS d USING (doc_id)
WHERE pt.run_id = $run_id AND t.status NOT IN ('dormant', 'not_relevant')
GROUP BY ALL
ORDER BY documents DESC, areas DESC, passages DESC, t.theme_id
LIMIT $limit;

-- name: schema_versions
-- The migrations a database (or a snapshot, its copy) records: the schema it was written with.
SELECT version FROM schema_migrations ORDER BY version;

-- name: document_sources
-- Where each document's file was read from (its source), to tell which files are gone.
SELECT title, area, source_path FROM documents WHERE source_path IS NOT NULL ORDER BY title;

-- name: withdrawn
-- Reviews a person withdrew (`findings withdraw`), which runs leave out.
SELECT title, source_path, strftime(withdrawn_at, '%Y-%m-%d %H:%M') AS withdrawn_at, reason
FROM withdrawn_sources
ORDER BY withdrawn_sources.withdrawn_at;
