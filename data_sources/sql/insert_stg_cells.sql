-- Writes stg.cells: one row per data row × field column of its tab (an empty cell is a row with text ''),
-- with its parsed value or its reject reason. Parameters: $id (import id); reads the registered frames
-- _rows (staged rows, with their tab index), _layout (tab, col, field, kind), _raw (non-empty cells as
-- read) and _parsed (kind, text, type -> status, value, text_value, reason: distinct_cell_texts parsed).
INSERT INTO stg.cells
SELECT $id, c.ord, c."row", c.col, c.field, c.text, c.type, p.status, p.value, p.text_value, p.reason
FROM (
    SELECT
        r.ord, r."row", l.col, l.field, l.kind,
        coalesce(x.value, '') AS text,
        coalesce(x.type, 's') AS type
    FROM _rows AS r
    JOIN _layout AS l ON l.tab = r.tab
    LEFT JOIN _raw AS x ON x.tab = r.tab AND x."row" = r."row" AND x.col = l.col
) AS c
JOIN _parsed AS p ON p.kind = c.kind AND p.text = c.text AND p.type = c.type
