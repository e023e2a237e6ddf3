-- Writes raw.cells: every non-empty cell of the import exactly as read (grain: import × tab × row × column).
-- Parameters: $id (import id), $at (time of the read); reads the registered frames _raw (cells with
-- a tab index) and _tabs (tab index -> source, sheet).
INSERT INTO raw.cells
SELECT $id, t.source, t.sheet, c."row", c.col, c.value, c.type, $at
FROM _raw AS c JOIN _tabs AS t ON t.tab = c.tab
