-- Writes stg.cells: one row per data row × field column of its tab (an empty cell is a row with text ''),
-- with its parsed value or its reject reason. Parameters: $id (import id); reads the registered frames
-- _rows (staged rows, with their tab index), _layout (tab, col, field, kind, maximum: the field's largest
-- plausible value, catalog/fields.csv toi_da), _raw (non-empty cells as read) and _parsed (kind, text,
-- type -> status, value, text_value, reason: distinct_cell_texts parsed). A value above its field's
-- maximum is rejected with the maximum in the reason, like a negative count.
INSERT INTO stg.cells
SELECT
    $id, v.ord, v."row", v.col, v.field, v.text, v.type,
    CASE WHEN v.over THEN 'rejected' ELSE v.status END,
    CASE WHEN v.over THEN NULL ELSE v.value END,
    v.text_value,
    CASE WHEN v.over
         THEN '«' || v.text || '» lớn hơn mức hợp lý tối đa ' || format('{:t.}', CAST(v.maximum AS BIGINT))
              || ' cho một đơn vị trong một kỳ (catalog/fields.csv, cột toi_da): kiểm tra lại ô'
         ELSE v.reason END
FROM (
    SELECT
        c.*, p.status, p.value, p.text_value, p.reason,
        coalesce(p.status = 'ok' AND p.value > c.maximum, FALSE) AS over
    FROM (
        SELECT
            r.ord, r."row", l.col, l.field, l.kind, l.maximum,
            coalesce(x.value, '') AS text,
            coalesce(x.type, 's') AS type
        FROM _rows AS r
        JOIN _layout AS l ON l.tab = r.tab
        LEFT JOIN _raw AS x ON x.tab = r.tab AND x."row" = r."row" AND x.col = l.col
    ) AS c
    JOIN _parsed AS p ON p.kind = c.kind AND p.text = c.text AND p.type = c.type
) AS v
