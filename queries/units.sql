-- Units of the deployment for the filters. Grain: one row per unit.
-- No parameters.
SELECT code, name, level, type, parent_code, province FROM ref.units ORDER BY level, name
