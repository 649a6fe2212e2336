-- A passage of an edited document whose text the new version still holds points to the new
-- version's passage: a theme run keeps its theme (it is no new evidence), and an id a drafted
-- report printed still finds it. Links are kept flat: when a successor is replaced in turn, the
-- links to it move to its own successor.
CREATE TABLE passage_successors (
    passage_id VARCHAR PRIMARY KEY,      -- a retired version's passage
    successor_id VARCHAR NOT NULL,       -- the passage with the same text in the latest version
    replaced_at TIMESTAMP NOT NULL
);
CREATE INDEX passage_successors_successor ON passage_successors (successor_id);
