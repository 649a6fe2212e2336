-- The reviews, their sources and the place and filter vocabulary (pipeline.queries.catalogue,
-- pipeline.queries.filters).
-- Queries that filter take the same named filters through the filtered_documents macro
-- (migration 004); NULL means "no filter": $region, $area, $police_force, $since, $until,
-- $doc_type (pipeline.queries.filters.Filters.params binds them).

-- name: filtered_documents
SELECT d.doc_id, d.title, d.area, d.region, d.nation, d.police_force, d.review_date, d.doc_type
FROM filtered_documents($region, $area, $police_force, $since, $until, $doc_type) AS d;

-- name: sources
-- The locality reviews under the filters, then the national documents under them (by the places
-- they mention when a place is chosen), each with its scope.
SELECT
    d.doc_id, d.title, d.path, d.format, d.doc_type, d.area, d.region, d.police_force,
    d.review_date, d.review_date_precision, d.inferred_fields, d.ingested_at, d.scope,
    coalesce(counted.n_passages, 0) AS n_passages,
    coalesce(counted.n_questions, 0) AS n_questions
FROM (
    SELECT * FROM filtered_documents($region, $area, $police_force, $since, $until, $doc_type)
    UNION ALL BY NAME
    SELECT * FROM filtered_national_documents($region, $area, $police_force, $since, $until, $doc_type)
) AS d
LEFT JOIN (
    -- passages and interviewers' questions of every document, in one pass
    SELECT
        doc_id,
        count(*) AS n_passages,
        count(*) FILTER (WHERE speaker_role = 'interviewer') AS n_questions
    FROM passages
    GROUP BY doc_id
) AS counted ON counted.doc_id = d.doc_id
ORDER BY d.scope = 'national', d.review_date, d.title;

-- name: filter_options
-- What the viewer's filters can choose from: the places of locality reviews (a national report's
-- "National" is not a place to filter by; its passages are found by the places they name). A
-- list no document fills is empty, not NULL (list() of no rows is NULL).
SELECT
    coalesce(list(DISTINCT region ORDER BY region)
        FILTER (WHERE region IS NOT NULL AND scope = 'local'), []) AS regions,
    coalesce(list(DISTINCT area ORDER BY area)
        FILTER (WHERE area IS NOT NULL AND scope = 'local'), []) AS areas,
    coalesce(list(DISTINCT police_force ORDER BY police_force)
        FILTER (WHERE police_force IS NOT NULL AND scope = 'local'), []) AS forces,
    coalesce(list(DISTINCT doc_type ORDER BY doc_type), []) AS doc_types,
    min(review_date) AS first_review,
    max(review_date) AS last_review
FROM documents;

-- name: place_names
-- Every gazetteer name and alias, so redaction can leave places alone.
SELECT DISTINCT lower(name) AS name FROM places
UNION
SELECT DISTINCT lower(unnest(aliases)) FROM places;

-- name: coded_passages
-- Every passage on a theme in the latest run, with its document's metadata, scope and offsets:
-- passages of the locality reviews under the filters and of national documents under them.
SELECT
    p.passage_id, d.doc_id, d.title, d.area, d.region, d.nation, d.police_force,
    d.review_date, d.doc_type, d.scope, p.ordinal, p.section, p.speaker_role, p.char_start,
    p.char_end, p.text, cpt.theme_id, cpt.probability, (SELECT run_id FROM latest_theme_run) AS run_id
FROM current_passage_themes AS cpt
JOIN passages AS p USING (passage_id)
JOIN documents AS d USING (doc_id)
WHERE d.doc_id IN (
        SELECT doc_id FROM filtered_documents($region, $area, $police_force, $since, $until, $doc_type)
    )
    OR p.passage_id IN (
        SELECT passage_id
        FROM national_passages($region, $area, $police_force, $since, $until, $doc_type)
    )
ORDER BY d.doc_id, p.char_start;

-- name: document_texts
SELECT d.doc_id, d.title, d.path, d.format, d.area, d.region, d.nation, d.police_force,
       d.review_date, d.doc_type, d.scope, d.text, d.ingested_at
FROM (
    SELECT * FROM filtered_documents($region, $area, $police_force, $since, $until, $doc_type)
    UNION ALL BY NAME
    SELECT * FROM filtered_national_documents($region, $area, $police_force, $since, $until, $doc_type)
) AS d
ORDER BY d.doc_id;

-- name: theme_names
-- Every theme a reader may name (by id or label), with its lifecycle; a theme curated as not
-- relevant is no finding to look up.
SELECT theme_id, label, status AS lifecycle
FROM themes
WHERE status <> 'not_relevant'
ORDER BY theme_id;

-- name: theme_marked_not_relevant
-- The label of a theme curated as not relevant, asked for by its id (no row otherwise).
SELECT label FROM themes WHERE theme_id = $theme AND status = 'not_relevant';
