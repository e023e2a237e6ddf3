-- Provinces the deployment follows. Grain: one row per province.
-- No parameters.
SELECT province, name FROM ref.provinces ORDER BY province
