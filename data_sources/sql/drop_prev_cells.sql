-- Writes: drops mart.prev_cells once the import summary has been read. No parameters.
DROP TABLE IF EXISTS mart.prev_cells
