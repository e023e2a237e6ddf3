-- Import history with per-tab summaries. Grain: one row per tab per import.
-- No parameters.
SELECT i.import_id, i.started_at, i.seen_at, t.source, t.sheet, t.header_row, t.error, t.notes,
       t.cells_read, t.imported, t.updated, t.unchanged, t.missing, t.rejected, t.total_rows
FROM raw.imports AS i JOIN raw.tabs AS t USING (import_id)
ORDER BY i.import_id DESC, t.source, t.sheet
