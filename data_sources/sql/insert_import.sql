-- Writes raw.imports: one row per import.
-- Parameters: $id (import id), $started, $seen (time the sheets were received), $finished,
-- $province (0 = several), $files (JSON list of file names), $summary (JSON totals).
INSERT INTO raw.imports VALUES ($id, $started, $seen, $finished, $province, $files, $summary)
