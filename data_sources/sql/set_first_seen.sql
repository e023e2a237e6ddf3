-- Writes stg.rows.first_seen for the rows of import $id (without a Forms timestamp) that the previous read of the
-- same tab said word for word: same unit (code, else its written name), period, place among that unit's rows
-- of the period, and every cell's raw text. They keep the time their content first came (build_marts.sql ranks
-- a unit's reports by it). Reads only this import's rows and cells and those of each tab's previous import.
-- Parameters: $id (import id).
UPDATE stg.rows AS t
SET first_seen = m.since
FROM (
    WITH tabs AS (
        SELECT DISTINCT source, sheet FROM stg.rows WHERE import_id = $id
    ),
    prev AS (
        SELECT r.source, r.sheet, max(r.import_id) AS import_id
        FROM stg.rows AS r
        SEMI JOIN tabs AS b ON b.source = r.source AND b.sheet = r.sheet
        WHERE r.import_id < $id
        GROUP BY r.source, r.sheet
    ),
    two AS (
        SELECT r.import_id, r.ord, r.source, r.sheet, coalesce(r.unit_code, r.unit_key, r.unit_text) AS who,
               r.period, coalesce(r.first_seen, r.seen_at) AS since
        FROM stg.rows AS r
        WHERE r.submitted_at IS NULL
          AND (r.import_id = $id OR EXISTS (
              SELECT 1 FROM prev AS p WHERE p.import_id = r.import_id AND p.source = r.source AND p.sheet = r.sheet
          ))
    ),
    content AS (
        SELECT w.import_id, w.ord, w.source, w.sheet, w.who, w.period, w.since,
               string_agg(c.field || '=' || coalesce(c.raw_value, ''), chr(31) ORDER BY c.field, c.col) AS cells,
               row_number() OVER (PARTITION BY w.import_id, w.source, w.sheet, w.who, w.period ORDER BY w.ord) AS k
        FROM two AS w
        LEFT JOIN stg.cells AS c
            ON c.ord = w.ord AND (c.import_id = $id OR c.import_id IN (SELECT import_id FROM prev))
        GROUP BY w.import_id, w.ord, w.source, w.sheet, w.who, w.period, w.since
    )
    SELECT n.ord, o.since
    FROM content AS n
    JOIN content AS o
        ON o.import_id < n.import_id AND o.source = n.source AND o.sheet = n.sheet AND o.who = n.who
       AND o.period IS NOT DISTINCT FROM n.period AND o.k = n.k AND o.cells IS NOT DISTINCT FROM n.cells
    WHERE n.import_id = $id
) AS m
WHERE t.ord = m.ord
