-- Data-quality list for the office. Grain: one row per problem (see mart.rejects).
-- Parameters: $kinds (list of kinds to show, or NULL for all).
SELECT kind, source, sheet, "row", "column", field, unit, raw_value, reason,
       CASE WHEN url IS NOT NULL AND url <> '' AND gid IS NOT NULL AND gid <> ''
            THEN url || '#gid=' || gid || '&range=' || coalesce("column", 'A') || "row" END AS link
FROM mart.rejects
WHERE $kinds IS NULL OR list_contains($kinds, kind)
ORDER BY kind, source, sheet, "row", "column"
