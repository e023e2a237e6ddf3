-- Writes stg.rows: one row per data row of the import (unit, period, where it was read).
-- Parameters: $id (import id), $seen (when the data counts as received), $given (whether $seen is a
-- known time of receipt); reads the registered
-- Arrow tables _rows (staged rows with their tab index and ord) and _tabs (tab index -> source,
-- sheet, gid, url).
INSERT INTO stg.rows BY NAME
SELECT r.* EXCLUDE (tab), $id AS import_id, t.source, t.sheet, t.gid, t.url, $seen AS seen_at, $given AS seen_given
FROM _rows AS r
JOIN _tabs AS t ON t.tab = r.tab
