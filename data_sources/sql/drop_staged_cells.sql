-- Writes: drops the temp table _cells of this import. No parameters.
DROP TABLE IF EXISTS _cells
