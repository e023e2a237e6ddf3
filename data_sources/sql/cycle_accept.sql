-- Accepts a pending change: the locked cell takes its new value (or is dropped when the value is
-- gone), the change is marked chap_nhan. The caller then re-opens and re-approves the quarter and
-- rebuilds the marts. Parameters: $id, $by, $at.
DELETE FROM cycle.locked_cells AS l
USING cycle.pending AS p
WHERE p.id = $id AND l.unit_code = p.unit_code AND l.period = p.period AND l.field = p.field;
INSERT INTO cycle.locked_cells
SELECT p.unit_code, p.period, p.quarter, p.field, f.kind, p.new_value, p.new_text, p.new_ord, p."row", p.col
FROM cycle.pending AS p
JOIN ref.fields AS f ON f.code = p.field
WHERE p.id = $id AND (p.new_value IS NOT NULL OR p.new_text IS NOT NULL);
UPDATE cycle.pending SET state = 'chap_nhan', decided_by = $by, decided_at = $at WHERE id = $id
