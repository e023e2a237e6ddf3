-- The number of the import about to be written. Grain: one row.
-- No parameters.
SELECT coalesce(max(import_id), 0) + 1 FROM raw.imports
