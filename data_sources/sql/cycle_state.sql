-- The state of one unit's quarter, for a cycle command to check before it writes.
-- Grain: one row. Parameters: $unit (unit code), $quarter (2026-Q1).
-- Columns: known (the unit is in ref.units), unit_name, submitted (a published value for the quarter),
--   action (latest decision: duyet | tra_lai | mo_khoa | NULL).
SELECT
    EXISTS (SELECT 1 FROM ref.units WHERE code = $unit) AS known,
    (SELECT name FROM ref.units WHERE code = $unit) AS unit_name,
    EXISTS (SELECT 1 FROM mart.current_cells WHERE unit_code = $unit AND quarter = $quarter) AS submitted,
    (SELECT action FROM cycle.decisions WHERE unit_code = $unit AND quarter = $quarter ORDER BY id DESC LIMIT 1) AS action
