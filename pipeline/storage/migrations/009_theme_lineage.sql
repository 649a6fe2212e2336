-- How themes descend from one another across runs. A refit regroups every passage; where an
-- earlier theme's passages now lie under several themes it split, and where a theme now holds
-- the passages of several earlier ones they merged (a codebook merge records one too). One row
-- per split or merge, written in the transaction of the run that made it:
--   split: from_theme_ids = [the earlier theme], to_theme_ids = the themes its passages went to
--          (itself first among them when it lives on);
--   merge: from_theme_ids = the earlier themes, to_theme_ids = [the theme that holds them now].
-- passages_moved counts the earlier passages that changed theme in the event. Trends and the
-- Theme page follow a theme through these rows (pipeline/queries/themes.py).
CREATE TABLE theme_lineage (
    run_id VARCHAR NOT NULL,
    kind VARCHAR NOT NULL CHECK (kind IN ('split', 'merge')),
    from_theme_ids INTEGER[] NOT NULL,
    to_theme_ids INTEGER[] NOT NULL,
    passages_moved INTEGER NOT NULL,
    recorded_at TIMESTAMP NOT NULL
);
CREATE INDEX theme_lineage_run ON theme_lineage (run_id);
