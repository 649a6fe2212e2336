-- name: texts_missing_embeddings
SELECT p.text_sha, any_value(p.text) AS text
FROM passages AS p
WHERE NOT EXISTS (
    SELECT 1 FROM embeddings AS e WHERE e.text_sha = p.text_sha AND e.model = ?
)
GROUP BY p.text_sha
ORDER BY p.text_sha;

-- name: count_distinct_texts
SELECT count(DISTINCT text_sha) FROM passages;

-- name: passage_vectors
SELECT p.passage_id, e.vector
FROM passages AS p
JOIN embeddings AS e ON e.text_sha = p.text_sha AND e.model = ?
ORDER BY p.passage_id;

-- name: insert_embedding_batch
-- A whole batch from the registered Arrow table `vector_batch` in one statement.
INSERT INTO embeddings (text_sha, model, vector)
SELECT text_sha, model, CAST(vector AS FLOAT[]) FROM vector_batch
ON CONFLICT DO NOTHING;
