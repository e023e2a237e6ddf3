-- Writes the keys a full build computes (temp touched, grain: one row per unit × native period): every key of a staged
-- row, of the values published before (mart.prev_cells), of the cycle's locked cells and waiting changes.
-- Run after marts_rows.sql. No parameters.
CREATE OR REPLACE TEMP TABLE touched AS
SELECT code AS unit_code, period FROM all_rows WHERE code IS NOT NULL AND period IS NOT NULL
UNION
SELECT unit_code, period FROM mart.prev_cells
UNION
SELECT unit_code, period FROM cycle.locked_cells
UNION
SELECT unit_code, period FROM cycle.pending;
