-- People's coding decisions (pipeline.access.codings). Filters bound; NULL means "any".

-- name: insert_decision
INSERT INTO coding_decisions (passage_id, theme_id, action, coder, decided_at, why, via)
VALUES (:passage_id, :theme_id, :action, :coder, :decided_at, :why, :via)
RETURNING decision_id;

-- name: decisions
SELECT decision_id, passage_id, theme_id, action, coder, decided_at, why, via
FROM coding_decisions
WHERE (:passage_id IS NULL OR passage_id = :passage_id)
ORDER BY decided_at, decision_id;
