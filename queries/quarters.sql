-- Quarters that have at least one current value. Grain: one row per quarter.
-- No parameters.
SELECT DISTINCT quarter FROM mart.quarterly ORDER BY quarter DESC
