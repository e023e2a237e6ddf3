-- One unit's text answers (khó khăn, đề xuất, ghi chú). Grain: one row per period × field.
-- Parameters: $unit (unit code).
SELECT t.period, f.name AS field_name, t.text, t.source, t.sheet, t."row"
FROM mart.texts AS t JOIN ref.fields AS f ON f.code = t.field
WHERE t.unit_code = $unit
ORDER BY t.period DESC, t.field
