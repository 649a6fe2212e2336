-- What the theme labeller takes from each passage's parse (label and keyword candidates, quotable
-- sentences: pipeline.themes.describe.PassageTerms), cached like vectors, so that a rerun parses
-- only the passages it has not read before. `reader` names the spaCy model, its version and the
-- labeller's code that read the text: any other reader's entries are stale and are dropped.
CREATE TABLE passage_terms (
    text_sha VARCHAR NOT NULL,
    reader VARCHAR NOT NULL,
    terms JSON NOT NULL,
    PRIMARY KEY (text_sha, reader)
);
