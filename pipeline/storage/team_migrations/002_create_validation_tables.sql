-- Validation: samples of passages drawn for people to code blind, and what each coder answered.
-- The machine's theme at the time of the draw is kept beside each passage, the reference the
-- people are compared with; it is never shown to a coder before they answer.
CREATE TABLE validation_samples (
    sample_id TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,   -- ISO 8601 in UTC
    created_by TEXT NOT NULL,
    seed INTEGER NOT NULL,
    requested INTEGER NOT NULL,
    run_id TEXT NOT NULL,       -- the theme run whose coding the sample checks
    themes TEXT NOT NULL        -- JSON [{"theme_id", "label"}]: the choices offered to coders
);

CREATE TABLE validation_items (
    sample_id TEXT NOT NULL REFERENCES validation_samples (sample_id),
    position INTEGER NOT NULL,  -- the order coders see (shuffled: position says nothing)
    passage_id TEXT NOT NULL,
    machine_theme_id INTEGER,   -- NULL: the machine put the passage in no theme
    region TEXT,
    PRIMARY KEY (sample_id, passage_id)
);

-- Answers are added, never changed: a coder who changes their mind adds a later answer, and the
-- latest one counts.
CREATE TABLE validation_answers (
    answer_id INTEGER PRIMARY KEY AUTOINCREMENT,
    sample_id TEXT NOT NULL,
    passage_id TEXT NOT NULL,
    coder TEXT NOT NULL,
    theme_ids TEXT NOT NULL,    -- JSON list of theme ids; [] = "none of these"
    answered_at TEXT NOT NULL,
    FOREIGN KEY (sample_id, passage_id) REFERENCES validation_items (sample_id, passage_id)
);

CREATE INDEX validation_answers_by_coder ON validation_answers (sample_id, coder, passage_id);

CREATE TRIGGER validation_answers_refuse_update BEFORE UPDATE ON validation_answers
BEGIN
    SELECT RAISE(ABORT, 'validation answers are added, never changed');
END;
