-- Writes stg.cells: one row per data row × field cell, with its parsed value or its reject reason.
-- Parameters: $id (import id); reads the temp table _cells and the registered frame _parsed.
INSERT INTO stg.cells
SELECT $id, c.ord, c."row", c.col, c.field, c.text, c.type, p.status, p.value, p.text_value, p.reason
FROM _cells AS c
JOIN _parsed AS p ON p.kind = c.kind AND p.text = c.text AND p.type = c.type
