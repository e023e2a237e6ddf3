-- The distinct (kind, text, type) of the staged cells: each is parsed once by values.parse.
-- Grain: one row per distinct combination. No parameters; reads the temp table _cells.
SELECT DISTINCT kind, text, type FROM _cells
