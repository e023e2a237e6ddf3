-- What a unit's published report of one period says, to open the «Nộp báo cáo» form on it (a correction
-- starts from what is there, whatever source it came from). Grain: one row per field with a value.
-- Parameters: $unit (unit code), $period (native period code). Columns: field, kind, value, text_value.
SELECT field, kind, value, text_value
FROM mart.current_cells
WHERE unit_code = $unit AND period = $period
