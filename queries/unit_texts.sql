-- One unit's text answers (khó khăn, đề xuất, ghi chú). Grain: one row per period × field.
-- Parameters: $scope (list of unit codes the viewer may see, or NULL), $unit (unit code).
-- Columns: period, field_name, text, source, sheet, row.
SELECT t.period, f.name AS field_name, t.text, t.source, t.sheet, t."row"
FROM mart.texts AS t JOIN ref.fields AS f ON f.code = t.field
WHERE t.unit_code = $unit AND ($scope IS NULL OR list_contains($scope, t.unit_code))
ORDER BY t.period DESC, t.field
