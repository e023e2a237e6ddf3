-- For the demo's correction sheet: a unit's published cells for one native period, as text.
-- Grain: one row per field. Parameters: $unit, $period. Columns: field, kind, value, text_value.
SELECT field, kind, value, text_value
FROM mart.current_cells
WHERE unit_code = $unit AND period = $period
ORDER BY col
