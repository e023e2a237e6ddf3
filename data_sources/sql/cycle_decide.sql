-- Writes one decision on a unit's quarter (cycle.decisions), with the last import it was taken on.
-- Parameters: $unit, $quarter, $action (duyet | tra_lai | mo_khoa), $reason, $by, $at.
INSERT INTO cycle.decisions
SELECT coalesce(max(id), 0) + 1, $unit, $quarter, $action, $reason,
       (SELECT max(import_id) FROM raw.imports), $by, $at
FROM cycle.decisions
