-- The history of published values and of the cycle's decisions. Grain: one row per event: a
-- published value changed (by an import, an accepted change, a lock lifted), a decision (duyet,
-- tra_lai, mo_khoa), a change seen in a locked quarter and what the office did with it.
-- Parameters:
--   $scope  list of unit codes the viewer may see, or NULL for every unit
--   $unit   one unit code, or NULL for every unit in scope
-- Columns: at_time, unit_code, unit_name, quarter, period, field, field_name, event, old_value, old_text,
--   new_value, new_text, source, sheet, row, column, import_id, actor, approved_by, reason.
WITH ev AS (
    SELECT h.at_time, h.unit_code, h.quarter, h.period, h.field, h.event, h.old_value, h.old_text,
           h.new_value, h.new_text, h.ord, h."row", h.col, h.import_id, h.actor, CAST(NULL AS VARCHAR) AS reason
    FROM cycle.history AS h
    UNION ALL
    SELECT d.at_time, d.unit_code, d.quarter, NULL, NULL, d.action, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
           d.actor, d.reason
    FROM cycle.decisions AS d
    UNION ALL
    SELECT p.seen_at AS at_time, p.unit_code, p.quarter, p.period, p.field, 'cho_duyet', p.old_value, p.old_text,
           p.new_value, p.new_text, p.new_ord, p."row", p.col, p.import_id, NULL, 'Thay đổi #' || p.id
    FROM cycle.pending AS p
    UNION ALL
    SELECT p.decided_at, p.unit_code, p.quarter, p.period, p.field, p.state, p.old_value, p.old_text,
           p.new_value, p.new_text, p.new_ord, p."row", p.col, p.import_id, p.decided_by, 'Thay đổi #' || p.id
    FROM cycle.pending AS p
    WHERE p.state IN ('tu_choi', 'bo_khoa', 'thay_the') AND p.decided_at IS NOT NULL
)
SELECT
    e.at_time, e.unit_code, u.name AS unit_name, e.quarter, e.period, e.field, f.name AS field_name, e.event,
    e.old_value, e.old_text, e.new_value, e.new_text, r.source, r.sheet, e."row",
    (SELECT letter FROM ref.columns WHERE col = e.col) AS "column", e.import_id, e.actor,
    CASE WHEN e.field IS NOT NULL AND e.event IN ('nhap', 'chap_nhan', 'mo_khoa') THEN (
        SELECT d.actor FROM cycle.decisions AS d
        WHERE d.unit_code = e.unit_code AND d.quarter = e.quarter AND d.action = 'duyet' AND d.at_time >= e.at_time
        ORDER BY d.id LIMIT 1
    ) END AS approved_by,
    e.reason
FROM ev AS e
LEFT JOIN ref.units AS u ON u.code = e.unit_code
LEFT JOIN ref.fields AS f ON f.code = e.field
LEFT JOIN stg.rows AS r ON r.ord = e.ord
WHERE ($scope IS NULL OR list_contains($scope, e.unit_code)) AND ($unit IS NULL OR e.unit_code = $unit)
ORDER BY e.at_time DESC, e.event
