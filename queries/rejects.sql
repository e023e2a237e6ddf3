-- Export "rejects". Grain: one row per problem: rejected value, unit not
-- matched (one row per data row), period unknown, ≤ pair broken, superseded
-- value, derived ratio that disagrees with its numbers.
-- Parameters: $scope (list of unit codes the viewer may see, or NULL: a row with
-- no unit code is only shown when $scope is NULL), $unit (unit code or NULL).
-- No period filter: a rejected row may have no readable period at all.
-- Columns: source, sheet, row, column, field, unit, raw_value, reason.
SELECT source, sheet, "row", "column", field, unit, raw_value, reason
FROM mart.rejects
WHERE ($scope IS NULL OR list_contains($scope, unit_code))
  AND ($unit IS NULL OR unit_code = $unit)
ORDER BY kind, source, sheet, "row", "column"
