-- Writes the keys one import can change (temp touched, grain: one row per unit × native period): those of its own rows,
-- and those of the rows the tabs it read again said before (no longer live: their unit's period may have
-- another winner now, or none). Nothing else changes when the catalog, the unit mappings and the cycle's
-- locks are as they were (data_sources/load/ingest.py decides; else a full build). Run after
-- marts_rows.sql. Parameters: $import_id.
CREATE OR REPLACE TEMP TABLE touched AS
WITH tabs AS (
    SELECT DISTINCT source, sheet FROM all_rows WHERE import_id = $import_id
),
before AS (
    SELECT a.source, a.sheet, max(a.import_id) AS import_id
    FROM all_rows AS a SEMI JOIN tabs AS t ON t.source = a.source AND t.sheet = a.sheet
    WHERE a.import_id < $import_id
    GROUP BY ALL
)
SELECT DISTINCT a.code AS unit_code, a.period
FROM all_rows AS a
WHERE a.code IS NOT NULL AND a.period IS NOT NULL
  AND (a.import_id = $import_id
       OR EXISTS (SELECT 1 FROM before AS b WHERE b.source = a.source AND b.sheet = a.sheet AND b.import_id = a.import_id));
