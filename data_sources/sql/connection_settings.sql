-- Writes nothing: settings of the publishing connection. No parameters.
-- Stored row order carries no meaning (every query orders its result); not keeping it lets
-- DuckDB write big tables from both cores.
SET enable_progress_bar = false;
SET preserve_insertion_order = false;
