-- People's coding decisions as each theme run applied them. The decisions themselves live in
-- the team store (a save must not wait for a run); a run copies what it applied here, beside
-- the machine's proposal, so the snapshot it publishes carries the codings its figures were
-- made with, and every disagreement between machine and person can be counted.
--   state 'primary': the passage's theme in passage_themes is the person's (a move);
--   state 'added':   a second theme a person gave the passage;
--   state 'removed': a person took the passage off this theme.
CREATE TABLE run_decisions (
    run_id VARCHAR NOT NULL,
    passage_id VARCHAR NOT NULL,
    theme_id INTEGER NOT NULL,
    state VARCHAR NOT NULL CHECK (state IN ('primary', 'added', 'removed')),
    machine_theme_id INTEGER NOT NULL,  -- the machine's proposal in this run; -1 for none
    disagrees BOOLEAN NOT NULL,         -- the machine proposed otherwise
    coder VARCHAR NOT NULL,
    decided_at TIMESTAMP NOT NULL,
    why VARCHAR NOT NULL,
    PRIMARY KEY (run_id, passage_id, theme_id)
);
ALTER TABLE theme_runs ADD COLUMN n_decisions INTEGER;
ALTER TABLE theme_runs ADD COLUMN n_disagreements INTEGER;
