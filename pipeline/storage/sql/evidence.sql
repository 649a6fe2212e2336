-- The passages behind a theme and the text around them (pipeline.queries.evidence).
-- Queries that filter take the same named filters through the filtered_documents macro
-- (migration 004); NULL means "no filter": $region, $area, $police_force, $since, $until,
-- $doc_type (pipeline.queries.filters.Filters.params binds them).

-- name: quotes
-- A theme's passages from the locality reviews under the filters and from national documents
-- (under a place filter, those national passages that name a place inside it: via_mention).
-- Each document's most representative passage comes before any document's second, and a
-- locality review's before a national document's: the evidence is many reviews' voices, not
-- the one document that says the most.
WITH national AS (
    SELECT passage_id, via_mention
    FROM national_passages($region, $area, $police_force, $since, $until, $doc_type)
),
found AS (
    SELECT
        p.passage_id, p.text, d.title, d.area, d.region, d.police_force, d.review_date,
        d.review_date_precision, d.doc_type, p.speaker, p.speaker_role, p.section, cpt.probability, d.doc_id,
        p.char_start, p.char_end, d.scope, coalesce(n.via_mention, false) AS via_mention,
        row_number() OVER (
            PARTITION BY d.doc_id ORDER BY cpt.probability DESC, p.passage_id
        ) AS in_document
    FROM current_passage_themes AS cpt
    JOIN passages AS p USING (passage_id)
    JOIN documents AS d USING (doc_id)
    LEFT JOIN national AS n USING (passage_id)
    WHERE cpt.theme_id = $theme
      AND (
          d.doc_id IN (
              SELECT doc_id
              FROM filtered_documents($region, $area, $police_force, $since, $until, $doc_type)
          )
          OR n.passage_id IS NOT NULL
      )
)
SELECT * EXCLUDE (in_document)
FROM found
ORDER BY in_document, scope = 'national', probability DESC, passage_id
LIMIT $limit;

-- name: passage_context
-- A passage with its neighbours in the same document, in reading order.
SELECT
    n.passage_id, n.ordinal, n.text, n.speaker, n.speaker_role, n.passage_id = $passage AS is_quote
FROM passages AS p
JOIN passages AS n ON n.doc_id = p.doc_id AND abs(n.ordinal - p.ordinal) <= $width
WHERE p.passage_id = $passage
ORDER BY n.ordinal;

-- name: passages_starting_with
-- The passages whose id starts with $prefix (a drafted report prints the first 12 characters);
-- a few are enough to tell a unique prefix from an ambiguous one.
SELECT passage_id
FROM passages
WHERE starts_with(passage_id, $prefix)
ORDER BY passage_id
LIMIT $limit;

-- name: passage_detail
-- One passage with its document's provenance and the theme the latest run gave it (NULL when
-- it has none, or an outlier's).
SELECT
    p.passage_id, p.doc_id, p.ordinal, p.text, p.section, p.speaker, p.speaker_role,
    d.title, d.area, d.region, d.police_force, d.review_date, d.review_date_precision,
    d.doc_type, d.scope,
    cpt.theme_id, t.label AS theme_label, cpt.probability
FROM passages AS p
JOIN documents AS d USING (doc_id)
LEFT JOIN current_passage_themes AS cpt USING (passage_id)
LEFT JOIN themes AS t ON t.theme_id = cpt.theme_id
WHERE p.passage_id = $passage;

-- name: themed_once_starting_with
-- Whether a theme run ever held a passage whose id starts with $prefix (one no longer here: its
-- review was withdrawn, or the passage's text changed in an edit).
SELECT passage_id FROM passage_themes WHERE starts_with(passage_id, $prefix) LIMIT 1;

-- name: successors_starting_with
-- The latest passages holding the text of retired passages whose id starts with $prefix (an id
-- a report printed before its document was edited).
SELECT DISTINCT s.successor_id
FROM passage_successors AS s
JOIN passages AS p ON p.passage_id = s.successor_id
WHERE starts_with(s.passage_id, $prefix)
ORDER BY s.successor_id
LIMIT $limit;
