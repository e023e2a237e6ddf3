-- Writes mart.prev_cells: the published values of the keys this build computes again (temp touched),
-- for the import's summary and the history of changes. No parameters.
DROP TABLE IF EXISTS mart.prev_cells;
CREATE TABLE mart.prev_cells AS SELECT * FROM mart.current_cells SEMI JOIN touched USING (unit_code, period);
