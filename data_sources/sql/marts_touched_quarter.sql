-- Writes the keys a decision of the cycle on one unit's quarter can change (temp touched, grain: one row per unit ×
-- native period): the unit's periods of that quarter (the quarter and its months) that have a staged row,
-- a published value, a locked cell or a waiting change. Run after marts_rows.sql.
-- Parameters: $unit (unit code), $quarter (e.g. '2026-Q2').
CREATE OR REPLACE TEMP TABLE touched AS
SELECT code AS unit_code, period FROM all_rows
WHERE code = $unit AND period IN (SELECT period FROM ref.periods WHERE quarter = $quarter)
UNION
SELECT unit_code, period FROM mart.current_cells WHERE unit_code = $unit AND quarter = $quarter
UNION
SELECT unit_code, period FROM cycle.locked_cells WHERE unit_code = $unit AND quarter = $quarter
UNION
SELECT unit_code, period FROM cycle.pending WHERE unit_code = $unit AND quarter = $quarter;
