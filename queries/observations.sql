-- Export "observations". Grain: one row per unit × native period × count or
-- yes/no field: the current (winning) value; yes/no as 1/0; missing absent.
-- Parameters: $scope (list of unit codes the viewer may see, or NULL for all),
-- $unit (unit code or NULL for all; a xã/phường also brings its schools),
-- $period (native period, a quarter such as 2026-Q1 also matches its months, or NULL for all).
-- Columns: unit_code, unit_name, period, field, value.
SELECT
    unit_code,
    unit_name,
    period,
    field,
    CAST(value AS BIGINT) AS value
FROM mart.observations
WHERE ($scope IS NULL OR list_contains($scope, unit_code))
  AND ($unit IS NULL OR unit_code = $unit OR parent_code = $unit)
  AND ($period IS NULL OR period = $period OR quarter = $period)
ORDER BY unit_code, period, field
