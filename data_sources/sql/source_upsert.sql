-- Writes ref.sources: a Google Sheets source added or its tabs/label changed.
-- Parameters: $id (spreadsheet id), $url, $tabs, $label, $now (when added).
INSERT INTO ref.sources (source_id, url, tabs, label, added_at) VALUES ($id, $url, $tabs, $label, $now)
ON CONFLICT (source_id) DO UPDATE SET url = $url, tabs = $tabs, label = $label
