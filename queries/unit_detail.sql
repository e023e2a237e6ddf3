-- One unit's current values across periods. Grain: one row per native period × field.
-- Parameters: $scope (list of unit codes the viewer may see, or NULL), $unit (unit code).
-- Columns: period, quarter, field, field_name, kind, value, flagged, source, sheet, row.
SELECT o.period, o.quarter, o.field, f.name AS field_name, f.kind, o.value, o.flagged, o.source, o.sheet, o."row"
FROM mart.observations AS o JOIN ref.fields AS f ON f.code = o.field
WHERE o.unit_code = $unit AND ($scope IS NULL OR list_contains($scope, o.unit_code))
ORDER BY o.period, o.field
