-- Writes raw.imports: one row per import.
-- Parameters: $id (import id), $started, $seen (time the sheets were received), $finished,
-- $province (0 = several), $files (JSON list of file names), $summary (JSON totals), $given (whether
-- $seen is a known time of receipt: given by the person, or the import is the receipt itself).
INSERT INTO raw.imports (import_id, started_at, seen_at, finished_at, province, files, summary_json, seen_given)
VALUES ($id, $started, $seen, $finished, $province, $files, $summary, $given)
