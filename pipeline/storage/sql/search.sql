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
