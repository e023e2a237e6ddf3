-- Unit names that matched no unit or several. Grain: one row per written name (and parent).
-- No parameters.
SELECT unit_key, unit_text, parent_text, status, reason, candidates, rows, sources
FROM mart.unmatched ORDER BY rows DESC, unit_text
