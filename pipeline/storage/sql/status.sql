-- name: counts
SELECT
    (SELECT count(*) FROM documents) AS documents,
    (SELECT count(*) FROM passages) AS passages,
    (SELECT count(*) FROM places) AS places,
    (SELECT count(*) FROM ingest_errors WHERE severity = 'error') AS errors,
    (SELECT count(*) FROM ingest_errors WHERE severity = 'warning') AS warnings;

-- name: coverage
SELECT
    count(DISTINCT area) AS areas,
    count(DISTINCT region) AS regions,
    min(review_date) AS first_review,
    max(review_date) AS last_review
FROM documents;

-- name: documents_by_region
SELECT
    coalesce(d.region, '(unknown)') AS region,
    count(DISTINCT d.doc_id) AS documents,
    count(DISTINCT d.area) AS areas,
    count(p.passage_id) AS passages
FROM documents AS d
LEFT JOIN passages AS p USING (doc_id)
GROUP BY 1
ORDER BY documents DESC, region;

-- name: recent_errors
SELECT path, reason, severity, "at" FROM ingest_errors ORDER BY "at" DESC, path LIMIT ?;
