-- Writes cycle.locked_cells: locks a unit's quarter at approval: its published cells are copied to cycle.locked_cells, which
-- the mart build publishes instead of what later imports read. Parameters: $unit, $quarter.
DELETE FROM cycle.locked_cells WHERE unit_code = $unit AND quarter = $quarter;
INSERT INTO cycle.locked_cells
SELECT unit_code, period, quarter, field, kind, value, text_value, ord, "row", col
FROM mart.current_cells
WHERE unit_code = $unit AND quarter = $quarter
