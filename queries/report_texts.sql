-- The units' free-text answers (khó khăn, đề xuất, ghi chú) over a period, for the periodic report.
-- Grain: one row per unit × native period × text field, for the native periods that count in the
-- selected quarters (a month in its quarter; a half-year or a year in its last quarter: ref.periods).
-- Parameters:
--   $year    year of the selected period
--   $q_from  first quarter number in the period (1..4)
--   $q_to    last quarter number in the period
--   $level   a kind of unit (ref.units.level): 'xa', 'truong' or a kind of the unit registry ('chi_bo'…)
--   $scope   list of unit codes the viewer may see, or NULL for every unit
--   $units   list of chosen unit codes (a xã/phường also brings its schools) or NULL for all
-- Columns: field, field_name, text, unit_code, unit_name, period.
SELECT t.field, f.name AS field_name, trim(t.text) AS text, t.unit_code, u.name AS unit_name, t.period
FROM mart.texts AS t
JOIN ref.units AS u ON u.code = t.unit_code
JOIN ref.fields AS f ON f.code = t.field
JOIN ref.periods AS p ON p.period = t.period
JOIN ref.periods AS c ON c.period = p.counts_in
WHERE u.level = $level
  AND ($scope IS NULL OR list_contains($scope, u.code))
  AND ($units IS NULL OR list_contains($units, u.code) OR list_contains($units, u.parent_code))
  AND c.year = $year AND c.qn BETWEEN $q_from AND $q_to
  AND nullif(trim(t.text), '') IS NOT NULL
ORDER BY t.field, trim(t.text), u.name, t.period
