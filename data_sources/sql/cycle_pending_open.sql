-- The pending changes waiting for the office (for `python -m data_sources cycle pending`).
-- Grain: one row per open change. No parameters.
-- Columns: id, unit_code, unit_name, quarter, period, field, old, new, source, sheet, row, col, import_id, seen_at.
SELECT
    p.id, p.unit_code, u.name AS unit_name, p.quarter, p.period, p.field,
    coalesce(CAST(p.old_value AS VARCHAR), p.old_text) AS old,
    coalesce(CAST(p.new_value AS VARCHAR), p.new_text) AS new,
    r.source, r.sheet, p."row", (SELECT letter FROM ref.columns WHERE col = p.col) AS col, p.import_id, p.seen_at
FROM cycle.pending AS p
LEFT JOIN ref.units AS u ON u.code = p.unit_code
LEFT JOIN stg.rows AS r ON r.ord = p.new_ord
WHERE p.state = 'cho'
ORDER BY p.id
