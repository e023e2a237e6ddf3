-- Changes an import saw in an approved (locked) quarter. Grain: one row per change.
-- Parameters:
--   $scope   list of unit codes the viewer may see, or NULL for every unit
--   $states  list of states to show (cho | chap_nhan | tu_choi | thay_the | bo_khoa), or NULL for all
-- Columns: id, unit_code, unit_name, quarter, period, field, field_name, old_value, old_text, new_value,
--   new_text, source, sheet, row, column, gid, url, import_id, seen_at, state, decided_by, decided_at.
SELECT
    p.id, p.unit_code, u.name AS unit_name, p.quarter, p.period, p.field, f.name AS field_name,
    p.old_value, p.old_text, p.new_value, p.new_text,
    r.source, r.sheet, p."row", (SELECT letter FROM ref.columns WHERE col = p.col) AS "column", r.gid, r.url,
    p.import_id, p.seen_at, p.state, p.decided_by, p.decided_at
FROM cycle.pending AS p
LEFT JOIN ref.units AS u ON u.code = p.unit_code
LEFT JOIN ref.fields AS f ON f.code = p.field
LEFT JOIN stg.rows AS r ON r.ord = p.new_ord
WHERE ($scope IS NULL OR list_contains($scope, p.unit_code))
  AND ($states IS NULL OR list_contains($states, p.state))
ORDER BY p.state = 'cho' DESC, p.id DESC
