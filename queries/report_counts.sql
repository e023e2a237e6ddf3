-- The on-time trend of Tình hình báo cáo, counted at publish (data_sources/sql/build_answers.sql: mart.report_counts):
-- one row per quarter however many units and quarters the database holds. Grain: one row per quarter of $quarters
-- that has data. Only for a viewer who may see every unit, viewing every unit or one province as the province
-- filter names it (queries.reporting_counted counts any other view from queries/reporting_counts.sql).
-- Parameters:
--   $plan      plan id
--   $quarters  list of quarters, e.g. ['2026-Q1', '2026-Q2']
--   $level     a kind of unit (ref.units.level)
--   $province  0: every unit; else the province whose every xã/phường the view names
-- Columns: quarter, deadline, from_plan, expected, reported, on_time, time_unknown, late.
SELECT quarter, deadline, from_plan, expected, reported, on_time, time_unknown, late
FROM mart.report_counts
WHERE plan = $plan AND level = $level AND province = $province AND list_contains($quarters, quarter)
ORDER BY quarter
