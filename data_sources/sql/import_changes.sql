-- Reads: what an import changes against the previous read of the same sources, to publish nothing when
-- nothing changes (the same file imported again). Grain: one row. Parameters: $import_id.
-- Reads the registered frame _mine (source, sheet, header_row, error): this import's tabs.
-- Columns: tabs (differences in the set of tabs, header rows or tab errors), cells (raw cells), rows (staged
-- rows: unit, period and their reasons), values (staged cells: status, value, reason). All 0: nothing changes.
WITH prev_import AS (
    SELECT source, max(import_id) AS import_id
    FROM raw.tabs
    WHERE import_id < $import_id AND source IN (SELECT source FROM _mine)
    GROUP BY source
),
prev_tabs AS (
    SELECT t.source, t.sheet, t.header_row, coalesce(t.error, '') AS error
    FROM raw.tabs AS t JOIN prev_import AS p USING (source, import_id)
),
mine_tabs AS (SELECT source, sheet, header_row, coalesce(error, '') AS error FROM _mine),
tabs AS (
    SELECT count(*) AS n FROM (
        (SELECT * FROM mine_tabs EXCEPT SELECT * FROM prev_tabs)
        UNION ALL
        (SELECT * FROM prev_tabs EXCEPT SELECT * FROM mine_tabs)
    )
),
prev_cells AS (
    SELECT c.source, c.sheet, c."row", c.col, c.value, c.type
    FROM raw.cells AS c JOIN prev_import AS p USING (source, import_id)
),
mine_cells AS (SELECT source, sheet, "row", col, value, type FROM raw.cells WHERE import_id = $import_id),
cells AS (
    SELECT count(*) AS n FROM (
        (SELECT * FROM mine_cells EXCEPT ALL SELECT * FROM prev_cells)
        UNION ALL
        (SELECT * FROM prev_cells EXCEPT ALL SELECT * FROM mine_cells)
    )
),
prev_rows AS (
    SELECT r.source, r.sheet, r."row", r.unit_code, r.unit_status, r.unit_reason, r.candidates, r.period,
           r.period_note, r.submitted_at
    FROM stg.rows AS r JOIN prev_import AS p USING (source, import_id)
),
mine_rows AS (
    SELECT source, sheet, "row", unit_code, unit_status, unit_reason, candidates, period, period_note, submitted_at
    FROM stg.rows WHERE import_id = $import_id
),
rows_ AS (
    SELECT count(*) AS n FROM (
        (SELECT * FROM mine_rows EXCEPT ALL SELECT * FROM prev_rows)
        UNION ALL
        (SELECT * FROM prev_rows EXCEPT ALL SELECT * FROM mine_rows)
    )
),
prev_values AS (
    SELECT r.source, r.sheet, c."row", c.col, c.field, c.status, c.value, c.text_value, c.reason
    FROM stg.cells AS c JOIN stg.rows AS r ON r.ord = c.ord JOIN prev_import AS p ON p.source = r.source AND p.import_id = r.import_id
),
mine_values AS (
    SELECT r.source, r.sheet, c."row", c.col, c.field, c.status, c.value, c.text_value, c.reason
    FROM stg.cells AS c JOIN stg.rows AS r ON r.ord = c.ord
    WHERE c.import_id = $import_id
),
values_ AS (
    SELECT count(*) AS n FROM (
        (SELECT * FROM mine_values EXCEPT ALL SELECT * FROM prev_values)
        UNION ALL
        (SELECT * FROM prev_values EXCEPT ALL SELECT * FROM mine_values)
    )
)
SELECT
    (SELECT n FROM tabs) + (SELECT count(*) FROM _mine WHERE source NOT IN (SELECT source FROM prev_import)) AS tabs,
    (SELECT n FROM cells) AS cells,
    (SELECT n FROM rows_) AS rows,
    (SELECT n FROM values_) AS "values"
