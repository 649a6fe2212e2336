-- name: cached_terms
-- The cached terms of the given texts, as this reader read them.
SELECT text_sha, terms
FROM passage_terms
WHERE reader = $reader AND text_sha IN (SELECT unnest($shas));

-- name: insert_terms
INSERT INTO passage_terms (text_sha, reader, terms)
SELECT unnest($shas), $reader, unnest($terms)
ON CONFLICT DO NOTHING;

-- name: forget_other_readers
-- Terms read by an earlier model or labeller: never asked for again.
DELETE FROM passage_terms WHERE reader <> $reader;
