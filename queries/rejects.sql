-- Export "rejects". Grain: one row per problem: rejected value, unit not
-- matched (one row per data row), period unknown, ≤ pair broken, superseded
-- value, derived ratio that disagrees with its numbers.
-- Parameters: $unit (unit code or NULL). No period filter: a rejected row may
-- have no readable period at all.
SELECT source, sheet, "row", "column", field, unit, raw_value, reason
FROM mart.rejects
WHERE $unit IS NULL OR unit = (SELECT name FROM ref.units WHERE code = $unit)
ORDER BY kind, source, sheet, "row", "column"
