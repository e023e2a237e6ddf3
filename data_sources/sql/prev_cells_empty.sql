-- Writes an empty mart.prev_cells: the first import of a database has no current values before it.
-- No parameters.
DROP TABLE IF EXISTS mart.prev_cells;
CREATE TABLE mart.prev_cells (
    unit_code VARCHAR, period VARCHAR, quarter VARCHAR, field VARCHAR, kind VARCHAR, value DOUBLE, text_value VARCHAR,
    ord BIGINT, "row" INTEGER, col INTEGER
);
