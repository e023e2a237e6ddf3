-- Whether a table exists. Grain: one row (its count: 0 or 1).
-- Parameters: $s (schema), $n (table name).
SELECT count(*) FROM information_schema.tables WHERE table_schema = $s AND table_name = $n
