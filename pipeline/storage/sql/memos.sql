-- Lookups for memos and coding from the command line (pipeline.cli.coding).

-- name: documents_matching
-- The documents a reader may mean by $asked: an id, or its start, or a title (any case).
SELECT doc_id, title
FROM documents
WHERE starts_with(doc_id, lower($asked)) OR lower(title) = lower($asked)
ORDER BY doc_id
LIMIT $limit;

-- name: document_titles
-- The titles of the documents $doc_ids (memos on documents name them in the report).
SELECT doc_id, title FROM documents WHERE list_contains($doc_ids, doc_id) ORDER BY doc_id;
