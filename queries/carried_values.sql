-- The totals a unit's form is prefilled with (staff, party members: counts that rarely change): the
-- value of each field in the unit's latest period that ended before $period began.
-- Grain: one row per field. Parameters: $unit (unit code), $period (native period code), $fields (list
-- of field codes). Columns: field, value, from_period.
SELECT c.field, arg_max(c.value, p.last_day) AS value, arg_max(c.period, p.last_day) AS from_period
FROM mart.current_cells AS c
JOIN ref.periods AS p ON p.period = c.period
WHERE c.unit_code = $unit
  AND list_contains($fields, c.field)
  AND c.value IS NOT NULL
  AND p.last_day < (SELECT first_day FROM ref.periods WHERE period = $period)
GROUP BY c.field
