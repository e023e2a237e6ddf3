-- Every Google Sheets source with its last read. Grain: one row per source. No parameters.
SELECT * FROM ref.sources ORDER BY added_at
