-- Guided themes' vectors are cached like passage vectors, so a rerun needs no model.
ALTER TABLE codes ADD COLUMN text_sha VARCHAR;
ALTER TABLE codes ADD COLUMN model VARCHAR;
ALTER TABLE codes ADD COLUMN vector FLOAT[];
