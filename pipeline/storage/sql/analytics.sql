-- Every query takes the same named filters through the filtered_documents macro
-- (migration 004); NULL means "no filter": $region, $area, $force, $since, $until, $doc_type.

-- name: filtered_documents
SELECT d.doc_id, d.title, d.area, d.region, d.nation, d.police_force, d.review_date, d.doc_type
FROM filtered_documents($region, $area, $force, $since, $until, $doc_type) AS d;

-- name: document_theme_rows
-- One row per (review, theme it raises), with the review's place and period.
SELECT
    d.doc_id, d.area, d.region, d.nation, d.police_force, d.review_date, d.doc_type,
    dt.theme_id, dt.n_passages
FROM filtered_documents($region, $area, $force, $since, $until, $doc_type) AS d
JOIN document_themes AS dt USING (doc_id)
JOIN themes AS t USING (theme_id)
WHERE t.status <> 'not_relevant';

-- name: reviews_by_period_region
-- How many reviews pass the filters, by period (its first day; NULL: undated) and region.
SELECT
    date_trunc($period, d.review_date)::DATE AS period_start,
    d.region,
    count(*) AS n_documents
FROM filtered_documents($region, $area, $force, $since, $until, $doc_type) AS d
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
    FROM filtered_documents($region, $area, $force, $since, $until, $doc_type) AS d
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
            WHEN 'force' THEN d.police_force
            WHEN 'region' THEN d.region
            WHEN 'nation' THEN d.nation
        END AS place,
        date_trunc($period, d.review_date)::DATE AS period_start
    FROM filtered_documents($region, $area, $force, $since, $until, $doc_type) AS d
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
    FROM filtered_documents($region, $area, $force, $since, $until, $doc_type) AS d
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

-- name: theme_catalogue
SELECT theme_id, label, description, keywords, heading, status AS lifecycle, first_run_id,
       quote_passage_ids
FROM themes
ORDER BY theme_id;

-- name: latest_run_id
SELECT run_id FROM latest_theme_run;

-- name: first_run_id
SELECT run_id FROM theme_runs WHERE status = 'succeeded'
ORDER BY finished_at, run_id LIMIT 1;

-- name: quotes
SELECT
    p.passage_id, p.text, d.title, d.area, d.region, d.police_force, d.review_date,
    d.doc_type, p.speaker, p.speaker_role, p.section, cpt.probability, d.doc_id, p.char_start,
    p.char_end
FROM current_passage_themes AS cpt
JOIN passages AS p USING (passage_id)
JOIN filtered_documents($region, $area, $force, $since, $until, $doc_type) AS d USING (doc_id)
WHERE cpt.theme_id = $theme
ORDER BY cpt.probability DESC, p.passage_id
LIMIT $limit;

-- name: matrix_cells
-- Areas (or reviews) x themes: passages and the most representative quote per cell.
SELECT
    CASE WHEN $by = 'review' THEN d.title ELSE d.area END AS row_label,
    cpt.theme_id,
    count(*) AS n_passages,
    arg_max(p.text, cpt.probability) AS quote,
    arg_max(p.passage_id, cpt.probability) AS quote_passage_id
FROM current_passage_themes AS cpt
JOIN passages AS p USING (passage_id)
JOIN filtered_documents($region, $area, $force, $since, $until, $doc_type) AS d USING (doc_id)
JOIN themes AS t USING (theme_id)
WHERE t.status <> 'not_relevant'
GROUP BY ALL
ORDER BY row_label, cpt.theme_id;

-- name: keyword_terms
-- The index's ids of a query's terms (tokenised and stemmed as the index was).
SELECT termid
FROM fts_main_passages.dict
WHERE term IN (SELECT stem(unnest(fts_main_passages.tokenize($query)), 'porter'));

-- name: keyword_scores
-- BM25 of every passage that holds one of the terms, by its row in the full-text index (docid):
-- the same formula and constants as fts_main_passages.match_bm25 (k = 1.2, b = 0.75), computed
-- from the postings of the query's terms only, bound as constants so that the scan skips the
-- other terms' row groups. No passage text is read; the best few are looked up by key after.
WITH query_terms AS (
    SELECT
        dict.termid,
        log((stats.num_docs - dict.df + 0.5) / (dict.df + 0.5) + 1) AS idf,
        stats.avgdl
    FROM fts_main_passages.dict AS dict
    CROSS JOIN fts_main_passages.stats AS stats
    WHERE dict.termid = ANY($termids)
)
SELECT
    postings.docid,
    sum(
        query_terms.idf * (postings.tf * 2.2)
        / (postings.tf + 1.2 * (0.25 + 0.75 * postings.len / query_terms.avgdl))
    ) AS score
FROM fts_main_passages.postings AS postings
JOIN query_terms USING (termid)
WHERE postings.termid = ANY($termids)
GROUP BY postings.docid;

-- name: passage_ids_of_index_rows
SELECT docid, name AS passage_id FROM fts_main_passages.docs WHERE docid = ANY($docids);

-- name: current_themes_of_passages
SELECT passage_id, theme_id FROM current_passage_themes WHERE passage_id = ANY($ids);

-- name: passages_with_provenance
SELECT
    p.passage_id, p.text, d.title, d.area, d.region, d.review_date, p.speaker, cpt.theme_id
FROM passages AS p
JOIN filtered_documents($region, $area, $force, $since, $until, $doc_type) AS d USING (doc_id)
LEFT JOIN current_passage_themes AS cpt USING (passage_id)
ORDER BY p.passage_id;

-- name: passages_by_id
-- The passages a search found, looked up by key (= ANY uses the primary-key index) before the
-- join, so that no query scans a million passages for ten.
WITH picked AS MATERIALIZED (
    SELECT passage_id, doc_id, text, speaker FROM passages WHERE passage_id = ANY($ids)
)
SELECT p.passage_id, p.text, d.title, d.area, d.region, d.review_date, p.speaker
FROM picked AS p
JOIN filtered_documents($region, $area, $force, $since, $until, $doc_type) AS d USING (doc_id);

-- name: current_theme_of_passages
SELECT passage_id, theme_id FROM current_passage_themes;

-- name: embedding_count
SELECT count(*) FROM embeddings WHERE model = $model;

-- name: filter_options
-- What the viewer's filters can choose from.
SELECT
    list(DISTINCT region ORDER BY region) FILTER (WHERE region IS NOT NULL) AS regions,
    list(DISTINCT area ORDER BY area) FILTER (WHERE area IS NOT NULL) AS areas,
    list(DISTINCT police_force ORDER BY police_force)
        FILTER (WHERE police_force IS NOT NULL) AS forces,
    list(DISTINCT doc_type ORDER BY doc_type) AS doc_types,
    min(review_date) AS first_review,
    max(review_date) AS last_review
FROM documents;

-- name: sources
SELECT
    d.doc_id, d.title, d.path, d.format, d.doc_type, d.area, d.region, d.police_force,
    d.review_date, d.inferred_fields, d.ingested_at,
    (SELECT count(*) FROM passages AS p WHERE p.doc_id = d.doc_id) AS n_passages
FROM filtered_documents($region, $area, $force, $since, $until, $doc_type) AS d
ORDER BY d.review_date, d.title;

-- name: ingest_errors
SELECT path, severity, reason, "at"
FROM ingest_errors
ORDER BY severity, "at" DESC, path;

-- name: run_history
SELECT run_id, started_at, finished_at, mode, model, n_passages, n_themes, n_new_themes,
       outlier_share, status, params
FROM theme_runs
ORDER BY started_at DESC, run_id DESC;

-- name: documents_since
-- Reviews ingested after a moment (the previous run's end), newest first.
SELECT title, area, region, review_date, doc_type, ingested_at
FROM documents
WHERE ingested_at > $since
ORDER BY ingested_at DESC, title;

-- name: passage_context
-- A passage with its neighbours in the same document, in reading order.
SELECT n.passage_id, n.ordinal, n.text, n.speaker_role, n.passage_id = $passage AS is_quote
FROM passages AS p
JOIN passages AS n ON n.doc_id = p.doc_id AND abs(n.ordinal - p.ordinal) <= $width
WHERE p.passage_id = $passage
ORDER BY n.ordinal;

-- name: place_names
-- Every gazetteer name and alias, so redaction can leave places alone.
SELECT DISTINCT lower(name) AS name FROM places
UNION
SELECT DISTINCT lower(unnest(aliases)) FROM places;

-- name: themes_gone_dormant
-- Dormant themes last seen in the previous run went dormant in the latest one.
SELECT theme_id FROM themes WHERE status = 'dormant' AND last_run_id = $previous
ORDER BY theme_id;

-- name: coded_passages
-- Every passage on a theme in the latest run, with its document's metadata and offsets.
SELECT
    p.passage_id, d.doc_id, d.title, d.area, d.region, d.nation, d.police_force,
    d.review_date, d.doc_type, p.ordinal, p.section, p.speaker_role, p.char_start,
    p.char_end, p.text, cpt.theme_id, cpt.probability, (SELECT run_id FROM latest_theme_run) AS run_id
FROM current_passage_themes AS cpt
JOIN passages AS p USING (passage_id)
JOIN filtered_documents($region, $area, $force, $since, $until, $doc_type) AS d USING (doc_id)
ORDER BY d.doc_id, p.char_start;

-- name: document_texts
SELECT d.doc_id, d.title, d.path, d.format, d.area, d.region, d.nation, d.police_force,
       d.review_date, d.doc_type, d.text, d.ingested_at
FROM filtered_documents($region, $area, $force, $since, $until, $doc_type) AS d
ORDER BY d.doc_id;

-- name: latest_run
SELECT run_id, started_at, finished_at, mode, model, params, n_passages, n_themes, outlier_share
FROM theme_runs
WHERE run_id = (SELECT run_id FROM latest_theme_run);
