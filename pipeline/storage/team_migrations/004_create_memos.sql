-- Memos: a researcher's notes (Markdown, stored and shown as data) on a theme, a document or a
-- passage, with who wrote them and when. Added, never changed.
CREATE TABLE memos (
    memo_id INTEGER PRIMARY KEY AUTOINCREMENT,
    target_kind TEXT NOT NULL CHECK (target_kind IN ('theme', 'document', 'passage')),
    target_id TEXT NOT NULL,    -- a theme id (as text), a document id or a passage id, in full
    text TEXT NOT NULL CHECK (length(trim(text)) > 0),
    author TEXT NOT NULL,
    written_at TEXT NOT NULL    -- ISO 8601 in UTC, microseconds
);

CREATE INDEX memos_by_target ON memos (target_kind, target_id, written_at);

CREATE TRIGGER memos_refuse_update BEFORE UPDATE ON memos
BEGIN
    SELECT RAISE(ABORT, 'memos are added, never changed: write another memo');
END;
