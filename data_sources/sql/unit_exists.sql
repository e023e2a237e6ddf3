-- Whether a unit code is in the registry. Grain: one row (its count).
-- Parameters: $c (unit code).
SELECT count(*) FROM ref.units WHERE code = $c
