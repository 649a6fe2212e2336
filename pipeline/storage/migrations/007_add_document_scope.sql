-- A document's scope: a locality review ('local', what every count is about) or a national or
-- thematic report ('national': searchable and quotable, never counted as a review). Documents
-- ingested before scopes existed are national when their area names the whole country.
ALTER TABLE documents ADD COLUMN scope VARCHAR DEFAULT 'local';

UPDATE documents SET scope = 'national'
WHERE lower(trim(area)) IN (
    'national', 'england and wales', 'england', 'wales', 'scotland', 'northern ireland',
    'united kingdom', 'uk', 'great britain'
);

-- The locality reviews that pass the standard filters: what prevalence, areas, regions and
-- trends count (NULL = no filter; until is exclusive).
CREATE OR REPLACE MACRO filtered_documents(f_region, f_area, f_force, f_since, f_until, f_doc_type) AS TABLE
SELECT *
FROM documents
WHERE scope = 'local'
  AND (f_region IS NULL OR region = f_region)
  AND (f_area IS NULL OR area = f_area)
  AND (f_force IS NULL OR police_force = f_force)
  AND (f_since IS NULL OR review_date >= CAST(f_since AS DATE))
  AND (f_until IS NULL OR review_date < CAST(f_until AS DATE))
  AND (f_doc_type IS NULL OR doc_type = f_doc_type);

-- Passages of national documents under the same filters. With no place filter, all of them; with
-- one, those that mention a place inside it ("mentioned in a national report"): a national report
-- has no area of its own, so the places it names are how a regional reader finds it.
CREATE OR REPLACE MACRO national_passages(f_region, f_area, f_force, f_since, f_until, f_doc_type) AS TABLE
SELECT
    p.passage_id,
    p.doc_id,
    (f_region IS NOT NULL OR f_area IS NOT NULL OR f_force IS NOT NULL) AS via_mention
FROM passages AS p
JOIN documents AS d USING (doc_id)
WHERE d.scope = 'national'
  AND (f_since IS NULL OR d.review_date >= CAST(f_since AS DATE))
  AND (f_until IS NULL OR d.review_date < CAST(f_until AS DATE))
  AND (f_doc_type IS NULL OR d.doc_type = f_doc_type)
  AND (
      (f_region IS NULL AND f_area IS NULL AND f_force IS NULL)
      OR EXISTS (
          SELECT 1
          FROM places AS pl
          WHERE list_contains(p.places, pl.name)
            AND (f_region IS NULL OR pl.region = f_region)
            AND (f_area IS NULL OR pl.local_authority = f_area)
            AND (f_force IS NULL OR pl.police_force = f_force)
      )
  );

-- National documents under the filters: by date and type, and by the places they mention.
CREATE OR REPLACE MACRO filtered_national_documents(f_region, f_area, f_force, f_since, f_until, f_doc_type) AS TABLE
SELECT *
FROM documents
WHERE doc_id IN (
    SELECT doc_id FROM national_passages(f_region, f_area, f_force, f_since, f_until, f_doc_type)
);
