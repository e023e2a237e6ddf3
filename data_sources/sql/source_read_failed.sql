-- Writes ref.sources: a source that failed this time (its last good data stays).
-- Parameters: $id (spreadsheet id), $now, $e (the error, in Vietnamese).
UPDATE ref.sources SET last_attempt_at = $now, last_error = $e WHERE source_id = $id
