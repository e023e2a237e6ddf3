-- One unit's current values across periods. Grain: one row per native period × field.
-- Parameters: $unit (unit code).
SELECT o.period, o.quarter, o.field, f.name AS field_name, f.kind, o.value, o.flagged, o.source, o.sheet, o."row"
FROM mart.observations AS o JOIN ref.fields AS f ON f.code = o.field
WHERE o.unit_code = $unit
ORDER BY o.period, o.field
