-- A passage made of a data table's rows ("Area: Worcester; Lines identified: 12") is kept for
-- search and quoting, but it is a report's figures or lists, not what practitioners said: like
-- interviewers' questions, it stays out of theme fitting. Passages ingested before this
-- migration are marked when their document is next read (a file's edit, or a re-ingest).
ALTER TABLE passages ADD COLUMN in_table BOOLEAN DEFAULT false;
