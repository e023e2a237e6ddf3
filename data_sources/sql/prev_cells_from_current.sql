-- Writes mart.prev_cells: the current values before this import (for its summary), by renaming
-- mart.current_cells (a rename, not a copy). No parameters.
DROP TABLE IF EXISTS mart.prev_cells;
DROP VIEW IF EXISTS mart.observations;
ALTER TABLE mart.current_cells RENAME TO prev_cells;
