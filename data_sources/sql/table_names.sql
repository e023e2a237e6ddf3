-- The tables of a database, as schema.table. Grain: one row per table. No parameters.
-- Used to tell an NQ71 database (every table of schema.sql) from any other DuckDB file.
SELECT lower(schema_name || '.' || table_name) AS name FROM duckdb_tables()
