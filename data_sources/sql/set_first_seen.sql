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
        -- only the rows of tabs read before (a tab read for the first time has nothing to keep), of this
        -- import and of that previous read
        FROM (SELECT * FROM stg.rows WHERE import_id = $id OR import_id IN (SELECT import_id FROM prev)) AS r
        JOIN prev AS p ON p.source = r.source AND p.sheet = r.sheet AND (r.import_id = $id OR r.import_id = p.import_id)
        WHERE r.submitted_at IS NULL
    ),
    content AS (
        SELECT w.import_id, w.ord, w.source, w.sheet, w.who, w.period, w.since,
               string_agg(c.field || '=' || coalesce(c.raw_value, ''), chr(31) ORDER BY c.field, c.col) AS cells,
               row_number() OVER (PARTITION BY w.import_id, w.source, w.sheet, w.who, w.period ORDER BY w.ord) AS k
        FROM two AS w
        -- the cells of this import and of the previous reads only (a few row groups, not the whole history)
        LEFT JOIN (
            SELECT * FROM stg.cells WHERE import_id = $id OR import_id IN (SELECT import_id FROM prev)
        ) AS c ON c.ord = w.ord
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
