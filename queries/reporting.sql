-- Reporting status (CT10). Grain: one row per expected unit × quarter.
-- Parameters:
--   $plan      plan id: its deadlines in ref.deadlines win over the default
--   $quarters  list of quarters, e.g. ['2026-Q1', '2026-Q2']
--   $level     a kind of unit (ref.units.level): 'xa', 'truong', or a kind of the unit registry
--              (catalog/don_vi.csv) such as 'chi_bo': the kinds a plan follows are in catalog/plans.csv
--   $scope     list of unit codes the viewer may see, or NULL for every unit
--   $units     list of chosen unit codes (a xã/phường also brings its schools) or NULL
--   $today     DATE used for "days overdue"
-- Expected roster: every unit of ref.units at that level (the official list of
-- the province, the school registry, or the unit registry: chi bộ of plan 004), less the units catalog/roster.csv
-- marks phai_bao_cao = 0. Deadline: the plan's date for the
-- period, else day `default_deadline_day` of the month after the quarter.
-- Read from mart.unit_quarter_reports, prepared at publish (a database published before it: reporting_unprepared.sql).
-- A submission's time: the Forms timestamp, else when the product first saw it. A file loaded
-- without a time of receipt (mart.submissions.first_known false) after the deadline is neither on
-- time nor late: time_unknown («không rõ thời điểm nhận»).
-- Columns: unit_code, unit_name, parent_code, quarter, deadline, from_plan, first_at,
--   submissions, reported, on_time, time_unknown, days_overdue, days_late.
WITH roster AS (
    SELECT code AS unit_code, name AS unit_name, parent_code
    FROM ref.units
    WHERE level = $level
      AND ($scope IS NULL OR list_contains($scope, code))
      AND ($units IS NULL OR list_contains($units, code) OR list_contains($units, parent_code))
      AND code NOT IN (SELECT ma_don_vi FROM ref.roster WHERE NOT phai_bao_cao)
),
quarters AS (
    SELECT unnest($quarters) AS quarter
),
due AS (
    SELECT
        q.quarter,
        coalesce(
            (SELECT TRY_CAST(d.deadline AS DATE) FROM ref.deadlines AS d WHERE d.plan = $plan AND d.period = q.quarter),
            -- day `default_deadline_day` of the month after the quarter (its last day + that many days)
            (SELECT CAST(p.last_day AS DATE) + CAST((SELECT default_deadline_day FROM ref.settings) AS INTEGER)
             FROM ref.periods AS p WHERE p.period = q.quarter)
        ) AS deadline,
        EXISTS (SELECT 1 FROM ref.deadlines AS d WHERE d.plan = $plan AND d.period = q.quarter) AS from_plan
    FROM quarters AS q
),
-- when each unit first reported for each quarter: prepared at publish (build_marts.sql)
sub AS (
    SELECT unit_code, quarter, first_at, submissions, first_known
    FROM mart.unit_quarter_reports
    WHERE quarter IN (SELECT quarter FROM quarters)
)
SELECT
    r.unit_code, r.unit_name, r.parent_code, d.quarter, d.deadline, d.from_plan,
    s.first_at, coalesce(s.submissions, 0) AS submissions,
    s.first_at IS NOT NULL AS reported,
    s.first_at IS NOT NULL AND CAST(s.first_at AS DATE) <= d.deadline AS on_time,
    coalesce(s.first_at IS NOT NULL AND NOT s.first_known AND CAST(s.first_at AS DATE) > d.deadline, FALSE)
        AS time_unknown,
    CASE WHEN s.first_at IS NULL AND $today > d.deadline THEN date_diff('day', d.deadline, $today) END AS days_overdue,
    CASE WHEN s.first_at IS NOT NULL AND s.first_known AND CAST(s.first_at AS DATE) > d.deadline
         THEN date_diff('day', d.deadline, CAST(s.first_at AS DATE)) END AS days_late
FROM roster AS r
CROSS JOIN due AS d
LEFT JOIN sub AS s ON s.unit_code = r.unit_code AND s.quarter = d.quarter
ORDER BY d.quarter, reported, days_overdue DESC NULLS LAST, r.unit_name, r.unit_code
