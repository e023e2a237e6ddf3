-- What a unit sent from the «Nộp báo cáo» form, for its own history. Grain: one row per report sent ×
-- field written (every answer kept as typed, with the reader's verdict). Parameters: $unit (unit code),
-- $plan (plan code). Columns: import_id, sent_at, period, via (tai_khoan | lien_ket), actor, field,
-- raw_value, status (ok | missing | rejected), reason, shown (whether this report is the one published for
-- its period: the unit's latest report of the period, from any source).
WITH sent AS (
    SELECT * FROM raw.web_submissions WHERE unit_code = $unit AND plan = $plan
)
SELECT s.import_id, s.sent_at, s.period, s.via, s.actor, c.field, c.raw_value, c.status, c.reason,
       EXISTS (SELECT 1 FROM mart.current_cells AS m WHERE m.ord = c.ord) AS shown
FROM sent AS s
JOIN stg.rows AS r ON r.import_id = s.import_id AND r.unit_code = s.unit_code
JOIN stg.cells AS c ON c.ord = r.ord
ORDER BY s.sent_at DESC, s.import_id DESC, c.col
