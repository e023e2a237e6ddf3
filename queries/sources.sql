-- Google Sheets sources. Grain: one row per spreadsheet.
-- No parameters.
-- Columns: source_id, url, tabs, label, added_at, last_ok_at, last_attempt_at, last_error.
SELECT source_id, url, tabs, label, added_at, last_ok_at, last_attempt_at, last_error
FROM ref.sources
ORDER BY added_at
