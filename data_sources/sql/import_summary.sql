-- Import summary, DHIS2-style. Grain: one row per (source, sheet) of one import.
-- Parameters: $import_id.
-- Needs mart.prev_cells (unit_code, period, field, value, text_value): the
-- current values as they were before this import (the previous current_cells).
--
-- cells read = imported + updated + unchanged + missing + rejected, where a
-- cell is one field cell of a data row (a row with a unit name or a value):
--   missing   empty, "...", "x" in a count
--   rejected  a value refused, or its row has no matched unit or no period
--   imported  a value for a unit × period × field that had none
--   updated   a different value than the one it replaces
--   unchanged the same value as the one it replaces
-- Cells of one import are taken in submission order, so a unit's second
-- submission in the same file "updates" its first; a cell read again with
-- the same value at the same place of the same tab is "unchanged".
-- Years of history: every scan is narrowed first to this import's rows and cells and to those of the
-- previous read of the tabs it read (import ids: a few row groups each), never all the staged history.
WITH mine AS (
    SELECT r.source, r.sheet, c."row", c.field, c.status, c.value, c.text_value, r.code, r.period, r.eff_at, r.ord
    FROM (SELECT * FROM stg.cells WHERE import_id = $import_id) AS c
    -- the build's temp table (marts_rows.sql)
    JOIN (SELECT * FROM all_rows WHERE import_id = $import_id) AS r ON r.ord = c.ord
),
-- the previous read of each tab this import read
prev AS (
    SELECT r.source, r.sheet, max(r.import_id) AS import_id
    FROM stg.rows AS r
    SEMI JOIN (SELECT DISTINCT source, sheet FROM stg.rows WHERE import_id = $import_id) AS t
        ON t.source = r.source AND t.sheet = r.sheet
    WHERE r.import_id < $import_id
    GROUP BY ALL
),
-- the same cell, with the same value, in the previous read of the same tab
before AS (
    SELECT r.source, r.sheet, c."row", c.field, c.value, c.text_value
    FROM (SELECT * FROM stg.cells WHERE import_id IN (SELECT import_id FROM prev) AND status = 'ok') AS c
    JOIN (SELECT * FROM stg.rows WHERE import_id IN (SELECT import_id FROM prev)) AS r ON r.ord = c.ord
    JOIN prev ON prev.source = r.source AND prev.sheet = r.sheet AND prev.import_id = r.import_id
),
classified AS (
    SELECT
        m.*,
        CASE
            WHEN m.status = 'missing' THEN 'missing'
            WHEN m.status = 'rejected' OR m.code IS NULL OR m.period IS NULL THEN 'rejected'
            -- an EXISTS: hashed on the previous read's cells (none for a tab read the first time), not on this import's
            WHEN EXISTS (
                SELECT 1 FROM before AS b
                WHERE b.source = m.source AND b.sheet = m.sheet AND b."row" = m."row" AND b.field = m.field
                  AND b.value IS NOT DISTINCT FROM m.value AND b.text_value IS NOT DISTINCT FROM m.text_value
            ) THEN 'unchanged'
        END AS early
    FROM mine AS m
),
-- most unit × period × field groups have one cell in an import: only the others need ordering
pending AS (
    SELECT * FROM classified WHERE early IS NULL
),
multi AS (
    SELECT code, period, field FROM pending GROUP BY ALL HAVING count(*) > 1
),
seq AS (
    SELECT source, sheet, field, code, period, value, text_value,
           CAST(NULL AS DOUBLE) AS prev_v, CAST(NULL AS VARCHAR) AS prev_t, 1 AS k
    FROM pending ANTI JOIN multi USING (code, period, field)
    UNION ALL
    SELECT
        source, sheet, field, code, period, value, text_value,
        lag(value) OVER w AS prev_v,
        lag(text_value) OVER w AS prev_t,
        row_number() OVER w AS k
    FROM pending SEMI JOIN multi USING (code, period, field)
    WINDOW w AS (PARTITION BY code, period, field ORDER BY eff_at, ord)
),
judged AS (
    SELECT
        s.source, s.sheet,
        CASE
            WHEN s.k = 1 AND p.unit_code IS NULL THEN 'imported'
            WHEN s.k = 1 THEN
                CASE WHEN s.value IS NOT DISTINCT FROM p.value AND s.text_value IS NOT DISTINCT FROM p.text_value
                     THEN 'unchanged' ELSE 'updated' END
            WHEN s.value IS NOT DISTINCT FROM s.prev_v AND s.text_value IS NOT DISTINCT FROM s.prev_t THEN 'unchanged'
            ELSE 'updated'
        END AS outcome
    FROM seq AS s
    LEFT JOIN mart.prev_cells AS p ON p.unit_code = s.code AND p.period = s.period AND p.field = s.field
    UNION ALL
    SELECT source, sheet, early FROM classified WHERE early IS NOT NULL
)
SELECT
    source, sheet,
    count(*) AS cells_read,
    count(*) FILTER (WHERE outcome = 'imported') AS imported,
    count(*) FILTER (WHERE outcome = 'updated') AS updated,
    count(*) FILTER (WHERE outcome = 'unchanged') AS unchanged,
    count(*) FILTER (WHERE outcome = 'missing') AS missing,
    count(*) FILTER (WHERE outcome = 'rejected') AS rejected
FROM judged
GROUP BY ALL
