-- Data-quality list for the office. Grain: one row per problem (see mart.rejects).
-- Parameters: $scope (list of unit codes the viewer may see, or NULL: a row with
-- no unit code is only shown when $scope is NULL), $kinds (list of kinds to show, or NULL for all).
-- Columns: kind, source, sheet, row, column, field, unit, raw_value, reason, link.
SELECT kind, coalesce(nullif(s.label, ''), r.source) AS source, sheet, "row", "column", field, unit, raw_value, reason,
       CASE WHEN r.url IS NOT NULL AND r.url <> '' AND r.gid IS NOT NULL AND r.gid <> ''
            THEN r.url || '#gid=' || r.gid || '&range=' || coalesce("column", 'A') || "row"
            WHEN r.url IS NOT NULL AND r.url <> '' THEN r.url END AS link
FROM mart.rejects AS r
LEFT JOIN ref.sources AS s ON s.source_id = r.source
WHERE ($kinds IS NULL OR list_contains($kinds, kind))
  AND ($scope IS NULL OR list_contains($scope, r.unit_code))
ORDER BY kind, source, sheet, "row", "column"
