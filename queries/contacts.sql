-- Whom to chase: the roster's contact per unit (catalog/roster.csv). Grain: one row per unit with a contact.
-- Parameters: $scope (list of unit codes the viewer may see, or NULL for every unit).
-- Columns: unit_code, contact, phone, email.
SELECT ma_don_vi AS unit_code, nguoi_lien_he AS contact, dien_thoai AS phone, email
FROM ref.roster
WHERE ($scope IS NULL OR list_contains($scope, ma_don_vi))
