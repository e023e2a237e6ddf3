-- The province of a unit of the published registry (a web report is matched against that province's units,
-- whatever provinces the deployment follows). Grain: zero or one row. Parameters: $c (unit code).
-- Columns: province.
SELECT province FROM ref.units WHERE code = $c
