-- Whether a table exists in the published file (a database published before the table was added has
-- not got it). Grain: one row. Parameters: $schema, $table. Columns: n (1 or 0).
SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = $schema AND table_name = $table
