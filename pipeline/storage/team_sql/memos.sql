-- Memos on themes, documents and passages (pipeline.access.memos). NULL filters mean "any".

-- name: insert_memo
INSERT INTO memos (target_kind, target_id, text, author, written_at)
VALUES (:target_kind, :target_id, :text, :author, :written_at)
RETURNING memo_id;

-- name: memos
SELECT memo_id, target_kind, target_id, text, author, written_at
FROM memos
WHERE (:target_kind IS NULL OR target_kind = :target_kind)
  AND (:target_id IS NULL OR target_id = :target_id)
  AND (:needle IS NULL OR instr(lower(text), lower(:needle)) > 0)
ORDER BY written_at, memo_id;
