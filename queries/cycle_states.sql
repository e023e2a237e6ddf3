-- The reporting cycle's state per unit and quarter. Grain: one row per unit × quarter that has a
-- decision, an open pending change or a reminder.
-- Parameters:
--   $quarters  list of quarters, e.g. ['2026-Q1']
--   $scope     list of unit codes the viewer may see, or NULL for every unit
-- Columns: unit_code, quarter, action (latest decision: duyet | tra_lai | mo_khoa | NULL), reason, actor, at_time,
--   changed_after (an import after the latest decision changed a published value of the quarter: a
--   returned report sent again; the same values read again are not), pending (open changes), reminders, last_reminder.
WITH keys AS (
    SELECT unit_code, quarter FROM cycle.decisions
    UNION SELECT unit_code, quarter FROM cycle.pending WHERE state = 'cho'
    UNION SELECT unit_code, quarter FROM cycle.reminders
),
mine AS (
    SELECT * FROM keys
    WHERE list_contains($quarters, quarter) AND ($scope IS NULL OR list_contains($scope, unit_code))
),
latest AS (
    SELECT unit_code, quarter, action, reason, actor, at_time, after_import
    FROM cycle.decisions
    QUALIFY row_number() OVER (PARTITION BY unit_code, quarter ORDER BY id DESC) = 1
)
SELECT
    k.unit_code, k.quarter, d.action, d.reason, d.actor, d.at_time,
    d.at_time IS NOT NULL AND EXISTS (
        SELECT 1 FROM cycle.history AS h
        WHERE h.unit_code = k.unit_code AND h.quarter = k.quarter AND h.event = 'nhap'
          AND h.import_id > coalesce(d.after_import, 0)
    ) AS changed_after,
    (SELECT count(*) FROM cycle.pending AS p WHERE p.unit_code = k.unit_code AND p.quarter = k.quarter AND p.state = 'cho')
        AS pending,
    (SELECT count(*) FROM cycle.reminders AS r WHERE r.unit_code = k.unit_code AND r.quarter = k.quarter) AS reminders,
    (SELECT max(r.at_time) FROM cycle.reminders AS r WHERE r.unit_code = k.unit_code AND r.quarter = k.quarter)
        AS last_reminder
FROM mine AS k
LEFT JOIN latest AS d ON d.unit_code = k.unit_code AND d.quarter = k.quarter
