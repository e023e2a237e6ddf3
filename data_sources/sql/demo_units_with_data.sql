-- For the demo's reporting cycle: the units with published data in a quarter.
-- Grain: one row per unit. Parameters: $quarter, $level. Columns: unit_code, unit_name.
SELECT DISTINCT c.unit_code, u.name AS unit_name
FROM mart.current_cells AS c
JOIN ref.units AS u ON u.code = c.unit_code
WHERE c.quarter = $quarter AND u.level = $level
ORDER BY c.unit_code
