-- Theme statistics: counts by period and place, comparisons, the matrix
-- (pipeline.queries.themes).
-- Queries that filter take the same named filters through the filtered_documents macro
-- (migration 004); NULL means "no filter": $region, $area, $police_force, $since, $until,
-- $doc_type (pipeline.queries.filters.Filters.params binds them).

-- name: theme_catalogue
SELECT theme_id, label, description, keywords, heading, status AS lifecycle, first_run_id,
       quote_passage_ids
FROM themes
ORDER BY theme_id;

-- name: document_theme_rows
-- One row per (review, theme it raises), with the review's place and period.
SELECT
    d.doc_id, d.area, d.region, d.nation, d.police_force, d.review_date, d.doc_type,
    dt.theme_id, dt.n_passages
FROM filtered_documents($region, $area, $police_force, $since, $until, $doc_type) AS d
JOIN document_themes AS dt USING (doc_id)
JOIN themes AS t USING (theme_id)
WHERE t.status <> 'not_relevant';

-- name: reviews_by_period_region
-- How many reviews pass the filters, by period (its first day; NULL: undated) and region.
SELECT
    date_trunc($period, d.review_date)::DATE AS period_start,
    d.region,
    count(*) AS n_documents
FROM filtered_documents($region, $area, $police_force, $since, $until, $doc_type) AS d
GROUP BY ALL;

-- name: theme_period_region_counts
-- Reviews and passages raising each theme by period and region, then one row per theme with
-- its distinct areas (whole_theme): a few thousand rows whatever the corpus size, so pages
-- aggregate in the database rather than pulling every review x theme row into Python. Periods
-- are given by their first day (NULL: undated); Python's period_label names them.
WITH reviews AS (
    SELECT
        d.doc_id, d.area, d.region, d.review_date,
        date_trunc($period, d.review_date)::DATE AS period_start
    FROM filtered_documents($region, $area, $police_force, $since, $until, $doc_type) AS d
),
raised AS MATERIALIZED (
    SELECT dt.theme_id, dt.n_passages, r.*
    FROM reviews AS r
    JOIN document_themes AS dt USING (doc_id)
    JOIN themes AS t USING (theme_id)
    WHERE t.status <> 'not_relevant'
)
SELECT
    theme_id, period_start, region,
    count(*) AS n_documents,  -- a review raises a theme once in document_themes
    NULL::BIGINT AS n_areas,
    sum(n_passages) AS n_passages,
    min(review_date) AS first_review,
    max(review_date) AS last_review,
    false AS whole_theme
FROM raised
GROUP BY theme_id, period_start, region
UNION ALL
SELECT
    theme_id, NULL, NULL, count(*), count(DISTINCT area), sum(n_passages),
    min(review_date), max(review_date), true
FROM raised
GROUP BY theme_id;

-- name: theme_place_period_counts
-- Reviews, areas and passages raising each theme by place ($level: area, police_force, region,
-- nation or national) and period (its first day; NULL: undated), with the place's reviews in
-- that period: aggregated here, as a million passages' review x theme rows are too many to pull
-- into pandas per page view.
WITH reviews AS (
    SELECT
        d.doc_id, d.area,
        CASE $level
            WHEN 'national' THEN 'United Kingdom'
            WHEN 'area' THEN d.area
            WHEN 'police_force' THEN d.police_force
            WHEN 'region' THEN d.region
            WHEN 'nation' THEN d.nation
        END AS place,
        date_trunc($period, d.review_date)::DATE AS period_start
    FROM filtered_documents($region, $area, $police_force, $since, $until, $doc_type) AS d
),
totals AS (
    SELECT place, period_start, count(*) AS period_documents FROM reviews GROUP BY ALL
),
counts AS (
    SELECT
        dt.theme_id, r.place, r.period_start,
        count(*) AS n_documents,  -- a review raises a theme once in document_themes
        count(DISTINCT r.area) AS n_areas,
        sum(dt.n_passages) AS n_passages
    FROM reviews AS r
    JOIN document_themes AS dt USING (doc_id)
    JOIN themes AS t USING (theme_id)
    WHERE t.status <> 'not_relevant'
    GROUP BY ALL
)
SELECT c.*, totals.period_documents
FROM counts AS c
JOIN totals
    ON totals.place IS NOT DISTINCT FROM c.place
    AND totals.period_start IS NOT DISTINCT FROM c.period_start
ORDER BY c.theme_id, c.place, c.period_start;

-- name: theme_place_comparison
-- Reviews raising each theme in one place ($column of the review equal to $place) and
-- elsewhere (every other review, including those with no such place recorded).
WITH reviews AS (
    SELECT
        d.doc_id,
        CASE $column
            WHEN 'area' THEN d.area
            WHEN 'police_force' THEN d.police_force
            WHEN 'region' THEN d.region
            WHEN 'nation' THEN d.nation
        END = $place AS here
    FROM filtered_documents($region, $area, $police_force, $since, $until, $doc_type) AS d
)
SELECT
    dt.theme_id,
    count(*) FILTER (WHERE r.here) AS in_place,
    count(*) FILTER (WHERE r.here IS NOT TRUE) AS elsewhere,
    (SELECT count(*) FILTER (WHERE here) FROM reviews) AS place_documents,
    (SELECT count(*) FILTER (WHERE here IS NOT TRUE) FROM reviews) AS elsewhere_documents
FROM reviews AS r
JOIN document_themes AS dt USING (doc_id)
JOIN themes AS t USING (theme_id)
WHERE t.status <> 'not_relevant'
GROUP BY dt.theme_id
ORDER BY dt.theme_id;

-- name: matrix_cells
-- Areas (or reviews) x themes: reviews and passages, and the most representative quote per cell.
-- Reviews first: one talkative transcript must not make an area's cell look like a pattern.
SELECT
    CASE WHEN $by = 'review' THEN d.title ELSE d.area END AS row_label,
    cpt.theme_id,
    count(DISTINCT d.doc_id) AS n_documents,
    count(*) AS n_passages,
    arg_max(p.text, cpt.probability) AS quote,
    arg_max(p.passage_id, cpt.probability) AS quote_passage_id
FROM current_passage_themes AS cpt
JOIN passages AS p USING (passage_id)
JOIN filtered_documents($region, $area, $police_force, $since, $until, $doc_type) AS d USING (doc_id)
JOIN themes AS t USING (theme_id)
WHERE t.status <> 'not_relevant'
GROUP BY ALL
ORDER BY row_label, cpt.theme_id;
