-- One pending change, for accept / reject. Grain: one row (none when the id is unknown).
-- Parameters: $id. Columns: id, unit_code, quarter, field, state.
SELECT id, unit_code, quarter, field, state FROM cycle.pending WHERE id = $id
