-- Writes the temp table _cells: the field cells of this import's data rows, before parsing. Grain: one row per
-- data row × field column of its tab (an empty cell is a row with text '').
-- No parameters; reads the registered frames _rows (staged rows, with their tab
-- index), _layout (tab, col, field, kind) and _raw (non-empty cells as read).
CREATE OR REPLACE TEMP TABLE _cells AS
SELECT
    r.ord, r."row", l.col, l.field, l.kind,
    coalesce(c.value, '') AS text,
    coalesce(c.type, 's') AS type
FROM _rows AS r
JOIN _layout AS l ON l.tab = r.tab
LEFT JOIN _raw AS c ON c.tab = r.tab AND c."row" = r."row" AND c.col = l.col
