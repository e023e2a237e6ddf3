-- Reporting status (CT10) counted per quarter: what the on-time trend of Tình hình báo cáo draws, counted in the
-- database rather than sent to the page unit by unit (at three years of history: twelve rows instead of
-- twelve quarters × every unit in view). Grain: one row per quarter of $quarters.
-- Parameters: those of queries/reporting.sql, whose rows are counted here ($plan, $quarters, $level, $scope,
--   $units, $today: $today only names days overdue, which no count reads).
-- Columns: quarter, deadline, from_plan, expected, reported, on_time, time_unknown, late (reported after the
--   deadline at a known time). queries.reporting_summary counts the same from the rows (tests/test_answers.py).
WITH r AS (
    -- include: reporting
)
SELECT
    quarter, any_value(deadline) AS deadline, bool_or(from_plan) AS from_plan, count(*) AS expected,
    count(*) FILTER (WHERE reported) AS reported, count(*) FILTER (WHERE on_time) AS on_time,
    count(*) FILTER (WHERE time_unknown) AS time_unknown,
    count(*) FILTER (WHERE reported AND NOT on_time AND NOT time_unknown) AS late
FROM r
GROUP BY quarter
ORDER BY quarter
