-- Writes ref.demo_marker: marks a database as the bundled demo (written by build-demo only): the dashboard opens a demo
-- without sign-in because of this table, never because of the file's name.
-- Parameters: $at (when the demo was built).
CREATE OR REPLACE TABLE ref.demo_marker AS SELECT 'nq71-demo' AS marker, CAST($at AS TIMESTAMP) AS built_at
