-- How many changes one import left waiting in locked (approved) quarters. Grain: one row.
-- Parameters: $import_id. Columns: n.
SELECT count(*) AS n FROM cycle.pending WHERE import_id = $import_id AND state = 'cho'
