-- Writes ref.sources: removes one source. Parameters: $id (spreadsheet id).
DELETE FROM ref.sources WHERE source_id = $id
