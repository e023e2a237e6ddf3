-- Unit names an administrator mapped by hand. Grain: one row per written name (key).
-- No parameters.
SELECT unit_key, unit_code FROM ref.unit_mappings
