-- Full-text search beside DuckDB's fts index (schema fts_main_passages, built by
-- PRAGMA create_fts_index). The extension keeps one row per token occurrence in `terms`, in
-- passage order, so finding a term's passages scans all of them (13M rows at 1M passages).
-- `postings` holds one row per term and passage with its count and the passage's length,
-- sorted by term: a query's few terms then read only their own row groups.

-- name: create_postings
CREATE OR REPLACE TABLE fts_main_passages.postings AS
SELECT terms.termid, terms.docid, count(*)::INTEGER AS tf, any_value(docs.len) AS len
FROM fts_main_passages.terms AS terms
JOIN fts_main_passages.docs AS docs USING (docid)
GROUP BY ALL
ORDER BY terms.termid, terms.docid;

-- name: postings_exist
SELECT count(*) FROM duckdb_tables()
WHERE schema_name = 'fts_main_passages' AND table_name = 'postings';

-- The query layer's searches (pipeline.queries.search); filters as in catalogue.sql.

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

-- name: current_ids_of_passages
-- Each of $ids that is a passage now, as itself, or, retired by an edit of its document, as the
-- passage holding its text now; ids of neither kind (a withdrawn review's) are left out.
SELECT passage_id AS asked, passage_id AS current FROM passages WHERE passage_id = ANY($ids)
UNION ALL
SELECT s.passage_id AS asked, s.successor_id AS current
FROM passage_successors AS s
JOIN passages AS p ON p.passage_id = s.successor_id
WHERE s.passage_id = ANY($ids);

-- name: current_ids_of_documents
-- Each of $ids that is a document's current version, as itself, or an earlier version of a file,
-- as the file's current version; ids of neither kind (a withdrawn review's) are left out.
SELECT doc_id AS asked, doc_id AS current FROM documents WHERE doc_id = ANY($ids)
UNION
SELECT v.doc_id AS asked, d.doc_id AS current
FROM document_versions AS v
JOIN documents AS d USING (source_path)
WHERE v.doc_id = ANY($ids) AND v.doc_id NOT IN (SELECT doc_id FROM documents);

-- name: passages_by_id
-- The passages a search found, looked up by key (= ANY uses the primary-key index) before the
-- join, so that no query scans a million passages for ten.
-- National documents' passages count when they pass the filters (by the places they name).
WITH picked AS MATERIALIZED (
    SELECT passage_id, doc_id, text, speaker, speaker_role
    FROM passages
    WHERE passage_id = ANY($ids)
),
national AS (
    SELECT passage_id, via_mention
    FROM national_passages($region, $area, $police_force, $since, $until, $doc_type)
    WHERE passage_id = ANY($ids)
)
SELECT
    p.passage_id, p.text, d.title, d.area, d.region, d.review_date, d.review_date_precision,
    p.speaker, p.speaker_role, d.scope,
    coalesce(n.via_mention, false) AS via_mention
FROM picked AS p
JOIN documents AS d USING (doc_id)
LEFT JOIN national AS n USING (passage_id)
WHERE d.doc_id IN (
        SELECT doc_id
        FROM filtered_documents($region, $area, $police_force, $since, $until, $doc_type)
    )
    OR n.passage_id IS NOT NULL;

-- name: current_theme_of_passages
SELECT passage_id, theme_id FROM current_passage_themes;

-- name: embedding_count
SELECT count(*) FROM embeddings WHERE model = $model;

-- name: database_file
-- The file behind the connection (the vector cache is kept per file).
SELECT file FROM pragma_database_list WHERE name = current_database();

-- name: passage_count
SELECT count(*) AS passages FROM passages;

-- name: passage_words
-- Each passage's length in words: very short passages (a heading, "Yes.") rarely make evidence.
SELECT passage_id, n_words FROM passages;

-- name: question_passages
-- Interviewers' questions: context for the answers, not evidence, so searches rank them last.
SELECT passage_id FROM passages WHERE speaker_role = 'interviewer';

-- name: question_index_rows
-- The same questions by their row in the full-text index (docid), for keyword search.
SELECT docs.docid
FROM fts_main_passages.docs AS docs
JOIN passages AS p ON p.passage_id = docs.name
WHERE p.speaker_role = 'interviewer';

-- name: index_rows
-- Every passage's row in the full-text index, to fuse keyword ranks with the vector index's.
SELECT docid, name AS passage_id FROM fts_main_passages.docs;

-- name: passage_keys
-- Each passage's identity that survives a re-ingest (its document's file and its text's hash),
-- for relevance judgments kept beside the bench (bench/data/search/judgments.csv).
SELECT p.passage_id, d.path, p.text_sha
FROM passages AS p
JOIN documents AS d USING (doc_id);
