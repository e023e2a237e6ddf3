-- Writes the staged rows as a build sees them (temp tables; grain: one row per staged row): every row with its unit resolved, when it counts from,
-- whether it is live, and its rank among the unit's reports of the period. The first step of every
-- build of the marts (data_sources/load/ingest.py build_marts), full or for the keys an import touched.
-- No parameters.
-- Working tables of this build are TEMP (never written to the published file);
-- versions before them kept these two in mart.
DROP TABLE IF EXISTS mart.all_rows;
DROP TABLE IF EXISTS mart.rows;

-- Kept narrow (keys, times, flags: no text): at years of history these two hold every staged row, and a copy
-- of the texts cost more than the rest of a keyed build. What a problem list shows (the written name, the
-- reason, the link) is joined from stg.rows by ord for the rows it lists (build_marts.sql).

-- grain: one row per staged data row of every import, unit resolved (temp)
CREATE OR REPLACE TEMP TABLE all_rows AS
SELECT
    r.import_id, r.source, r.sheet, r."row", r.ord, r.period,
    coalesce(r.unit_code, m.unit_code) AS code,
    CASE WHEN r.unit_code IS NULL AND m.unit_code IS NOT NULL THEN 'mapped' ELSE r.unit_status END AS match_status,
    r.submitted_at, r.seen_at,
    -- a row read again unchanged keeps the time its content first came (stg.rows.first_seen)
    coalesce(r.submitted_at, r.first_seen, r.seen_at) AS eff_at,
    -- eff_at is a known time of receipt: a Forms timestamp, or an import whose time is known
    r.submitted_at IS NOT NULL OR coalesce(r.seen_given, TRUE) AS eff_known,
    r.import_id = max(r.import_id) OVER (PARTITION BY r.source, r.sheet) AS live
FROM stg.rows AS r
LEFT JOIN ref.unit_mappings AS m ON r.unit_code IS NULL AND m.unit_key = r.unit_key;

-- grain: one row per live data row, with its rank among the unit's submissions for the period (temp).
-- Most unit × period keys have one live row (rank 1): only the others are ordered.
CREATE OR REPLACE TEMP TABLE live_rows AS
WITH l AS (
    SELECT * FROM all_rows WHERE live
),
multi AS (
    SELECT code, period FROM l WHERE code IS NOT NULL AND period IS NOT NULL GROUP BY ALL HAVING count(*) > 1
)
SELECT *, CASE WHEN code IS NOT NULL AND period IS NOT NULL THEN 1 END AS rank
FROM l ANTI JOIN multi USING (code, period)
UNION ALL
SELECT *, row_number() OVER (PARTITION BY code, period ORDER BY eff_at DESC, ord DESC) AS rank
FROM l SEMI JOIN multi USING (code, period);
