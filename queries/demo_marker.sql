-- Whether this database is the bundled demo (ref.demo_marker, written by build-demo only).
-- Grain: one row. No parameters. Columns: n (1 for the demo, else 0).
SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = 'ref' AND table_name = 'demo_marker'
