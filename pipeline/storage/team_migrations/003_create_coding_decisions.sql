-- People's coding decisions: a passage moved to a theme, given a second theme, or taken off
-- one. The log is append-only; the current decision on each (passage, theme) is derived from
-- it (pipeline.themes.decisions.current_decisions), so changing one's mind adds a row.
CREATE TABLE coding_decisions (
    decision_id INTEGER PRIMARY KEY AUTOINCREMENT,
    passage_id TEXT NOT NULL,   -- the full sha256 id, never a prefix
    theme_id INTEGER NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('move', 'add', 'remove')),
    coder TEXT NOT NULL,
    decided_at TEXT NOT NULL,   -- ISO 8601 in UTC, microseconds: sorts as it reads
    why TEXT NOT NULL DEFAULT '',
    via TEXT NOT NULL CHECK (via IN ('viewer', 'cli', 'import'))
);

CREATE INDEX coding_decisions_by_passage ON coding_decisions (passage_id, decided_at);

CREATE TRIGGER coding_decisions_refuse_update BEFORE UPDATE ON coding_decisions
BEGIN
    SELECT RAISE(ABORT, 'coding decisions are added, never changed: add a later decision');
END;

CREATE TRIGGER coding_decisions_refuse_delete BEFORE DELETE ON coding_decisions
BEGIN
    SELECT RAISE(ABORT, 'coding decisions are added, never deleted: add a later decision');
END;
