-- Writes ref.sources: a source read well (its label from the sheet when none was given).
-- Parameters: $id (spreadsheet id), $now, $m (the sheet's last modification), $label.
UPDATE ref.sources
SET last_ok_at = $now, last_attempt_at = $now, last_error = NULL, last_modified = $m,
    label = CASE WHEN coalesce(label, '') = '' THEN $label ELSE label END
WHERE source_id = $id
