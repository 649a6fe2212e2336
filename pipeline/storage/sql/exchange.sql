-- What the REFI-QDA exchange reads beyond the catalogue (pipeline.exports.qdpx, qdpx_people).

-- name: machine_proposals
-- Where people's decisions changed a passage's theme in the latest run, the theme the machine
-- itself proposed (-1: none): a .qdpx gives the machine's coding as the machine's.
SELECT passage_id, any_value(machine_theme_id) AS machine_theme_id
FROM run_decisions
WHERE run_id = (SELECT run_id FROM latest_theme_run) AND state <> 'added'
GROUP BY passage_id
ORDER BY passage_id;

-- name: passage_spans
-- Where the passages $passage_ids lie in their documents.
SELECT passage_id, doc_id, ordinal, char_start, char_end
FROM passages
WHERE list_contains($passage_ids, passage_id)
ORDER BY doc_id, char_start;

-- name: document_passages
-- Every passage of the documents $doc_ids, where it lies (to place a selection made elsewhere).
SELECT passage_id, doc_id, char_start, char_end
FROM passages
WHERE list_contains($doc_ids, doc_id)
ORDER BY doc_id, char_start;

-- name: document_ids
SELECT doc_id FROM documents ORDER BY doc_id;
