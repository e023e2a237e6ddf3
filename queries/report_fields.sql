-- Totals of every count and yes/no field of the form over a period, for the periodic report.
-- Grain: one row per count or yes/no field of ref.fields, whether or not reported (the caller puts them
-- in the catalog's order).
-- Parameters:
--   $year    year of the selected period
--   $q_from  first quarter number in the period (1..4)
--   $q_to    last quarter number in the period
--   $level   a kind of unit (ref.units.level): 'xa' (xã/phường), 'truong' (cơ sở giáo dục) or a kind of the
--            unit registry such as 'chi_bo' (plan 004): never mixed, so nothing is counted twice
--   $scope   list of unit codes the viewer may see, or NULL for every unit
--   $units   list of chosen unit codes (a xã/phường also brings its schools) or NULL for all
-- Columns: field, field_name, kind ('count' | 'yesno'), agg ('sum' | 'last'), measure, denominator,
--   value (a flow: Σ over units and quarters; a stock: Σ over units of each unit's last quarter;
--   yes/no: units answering yes), units (units with a value), flagged (units whose value broke a ≤ pair:
--   kept out of value, as progress keeps them out of every target).
-- Same rules as progress.sql: stocks are the value at the end of the period, flows add up, missing is never 0.
WITH scope AS (
    SELECT code AS unit_code
    FROM ref.units
    WHERE level = $level
      AND ($scope IS NULL OR list_contains($scope, code))
      AND ($units IS NULL OR list_contains($units, code) OR list_contains($units, parent_code))
),
q AS (
    SELECT x.* FROM mart.quarterly AS x JOIN scope USING (unit_code)
    WHERE x.year = $year AND x.qn BETWEEN $q_from AND $q_to
),
per_unit AS (
    SELECT unit_code, field,
           CASE WHEN any_value(agg) = 'sum' THEN sum(value) FILTER (WHERE NOT flagged)
                ELSE arg_max(value, qn) FILTER (WHERE NOT flagged) END AS value,
           bool_or(flagged) AS flagged
    FROM q GROUP BY ALL
),
fields AS (
    SELECT code AS field, name AS field_name, kind, agg, measure, denominator
    FROM ref.fields WHERE kind IN ('count', 'yesno')
)
SELECT f.field, f.field_name, f.kind, f.agg, f.measure, f.denominator,
       sum(p.value) AS value,
       count(p.value) AS units,
       count(*) FILTER (WHERE p.flagged) AS flagged
FROM fields AS f
LEFT JOIN per_unit AS p USING (field)
GROUP BY f.field, f.field_name, f.kind, f.agg, f.measure, f.denominator
ORDER BY f.field
