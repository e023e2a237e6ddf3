-- Writes cycle.history: every published value that this build changed, against mart.prev_cells
-- (the published values before it, of the keys this build computed again: temp touched). The first
-- publication of a unit's period is not a change.
-- Parameters: $import_id (NULL for a decision), $event (nhap | chap_nhan | mo_khoa), $by, $at.
INSERT INTO cycle.history
SELECT
    coalesce(n.unit_code, o.unit_code), coalesce(n.period, o.period), coalesce(n.quarter, o.quarter),
    coalesce(n.field, o.field),
    o.value, o.text_value, n.value, n.text_value, n.ord, coalesce(n."row", o."row"), coalesce(n.col, o.col),
    $import_id, $event, $by, $at
FROM mart.prev_cells AS o
FULL JOIN (SELECT * FROM mart.current_cells SEMI JOIN touched USING (unit_code, period)) AS n
    ON n.unit_code = o.unit_code AND n.period = o.period AND n.field = o.field
WHERE (o.value IS DISTINCT FROM n.value OR o.text_value IS DISTINCT FROM n.text_value)
  AND EXISTS (
      SELECT 1 FROM mart.prev_cells AS e
      WHERE e.unit_code = coalesce(n.unit_code, o.unit_code) AND e.period = coalesce(n.period, o.period)
  )
