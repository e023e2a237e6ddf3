-- Writes stg.rows: one row per data row of the import (unit, period, where it was read).
-- No parameters; reads the registered frame _rows.
INSERT INTO stg.rows BY NAME SELECT * EXCLUDE (tab) FROM _rows
