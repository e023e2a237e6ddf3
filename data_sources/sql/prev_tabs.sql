-- Reads: the tabs (source, sheet) of the previous read of each source, as raw.tabs lists them. Grain: one row per
-- tab. An import that reads a tab not among them changes what is published (import_changes.sql counts it), so
-- the fingerprint of every mart table (published_fingerprint.sql, costly at years of history) is taken only
-- when every tab it read was read before. Parameters: $import_id.
SELECT t.source, t.sheet
FROM raw.tabs AS t
JOIN (SELECT source, max(import_id) AS import_id FROM raw.tabs WHERE import_id < $import_id GROUP BY source) AS p
    USING (source, import_id)
