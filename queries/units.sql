-- Units in the viewer's scope, for the filters and names. Grain: one row per unit.
-- Parameters: $scope (list of unit codes the viewer may see, or NULL for every unit).
-- Columns: code, name, level ('xa' | 'truong' | a kind of the unit registry: 'chi_bo'…), type, parent_code
--   (a school's xã/phường, a registry unit's cap_tren), province.
SELECT code, name, level, type, parent_code, province
FROM ref.units
WHERE $scope IS NULL OR list_contains($scope, code)
ORDER BY level, name
