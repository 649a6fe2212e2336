-- Validation samples and coders' answers (pipeline.access.validation).

-- name: insert_sample
INSERT INTO validation_samples (sample_id, created_at, created_by, seed, requested, run_id, themes)
VALUES (:sample_id, :created_at, :created_by, :seed, :requested, :run_id, :themes);

-- name: insert_item
INSERT INTO validation_items (sample_id, position, passage_id, machine_theme_id, region)
VALUES (:sample_id, :position, :passage_id, :machine_theme_id, :region);

-- name: samples
SELECT sample_id, created_at, created_by, seed, requested, run_id, themes
FROM validation_samples
ORDER BY created_at DESC, sample_id DESC;

-- name: items
SELECT sample_id, position, passage_id, machine_theme_id, region
FROM validation_items
WHERE sample_id = :sample_id
ORDER BY position;

-- name: insert_answer
INSERT INTO validation_answers (sample_id, passage_id, coder, theme_ids, answered_at)
VALUES (:sample_id, :passage_id, :coder, :theme_ids, :answered_at);

-- name: latest_answers
-- Each coder's latest answer for each passage of a sample (an answer replaced is kept, unused).
SELECT sample_id, passage_id, coder, theme_ids, answered_at
FROM (
    SELECT *, row_number() OVER (
        PARTITION BY passage_id, coder ORDER BY answered_at DESC, answer_id DESC
    ) AS latest
    FROM validation_answers
    WHERE sample_id = :sample_id
)
WHERE latest = 1
ORDER BY coder, passage_id;
