-- Writes cycle.locked_cells and cycle.pending: lifts the lock of a unit's quarter: its locked cells are dropped (the next mart build publishes
-- what the sheet says) and its open pending changes are closed as bo_khoa.
-- Parameters: $unit, $quarter, $by, $at.
DELETE FROM cycle.locked_cells WHERE unit_code = $unit AND quarter = $quarter;
UPDATE cycle.pending SET state = 'bo_khoa', decided_by = $by, decided_at = $at
WHERE unit_code = $unit AND quarter = $quarter AND state = 'cho'
