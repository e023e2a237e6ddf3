-- The plan's reporting target (indicator kind 'reporting', CT10 in the catalog). Grain: one row or none.
-- Parameters: $plan (plan id).
-- Columns: indicator, target (%), note.
SELECT t.indicator, TRY_CAST(nullif(t.target, '') AS DOUBLE) AS target, t.note
FROM ref.targets AS t JOIN ref.indicators AS i ON i.code = t.indicator
WHERE t.plan = $plan AND i.loai = 'reporting'
ORDER BY t.indicator
LIMIT 1
