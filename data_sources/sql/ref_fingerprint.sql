-- Reads: a fingerprint of the reference tables an import rewrites from the catalog (units, fields, roster,
-- plans, targets, deadlines, statuses, periods…): compared before and after ref_tables.sql, it tells whether
-- a change of the catalog alone changes what is published. Grain: one row. No parameters.
SELECT list_value(
    (SELECT coalesce(bit_xor(hash(t)), 0) FROM ref.units AS t),
    (SELECT coalesce(bit_xor(hash(t)), 0) FROM ref.fields AS t),
    (SELECT coalesce(bit_xor(hash(t)), 0) FROM ref.settings AS t),
    (SELECT coalesce(bit_xor(hash(t)), 0) FROM ref.provinces AS t),
    (SELECT coalesce(bit_xor(hash(t)), 0) FROM ref.plans AS t),
    (SELECT coalesce(bit_xor(hash(t)), 0) FROM ref.unit_kinds AS t),
    (SELECT coalesce(bit_xor(hash(t)), 0) FROM ref.indicators AS t),
    (SELECT coalesce(bit_xor(hash(t)), 0) FROM ref.targets AS t),
    (SELECT coalesce(bit_xor(hash(t)), 0) FROM ref.deadlines AS t),
    (SELECT coalesce(bit_xor(hash(t)), 0) FROM ref.roster AS t),
    (SELECT coalesce(bit_xor(hash(t)), 0) FROM ref.statuses AS t),
    (SELECT coalesce(bit_xor(hash(t)), 0) FROM ref.indicator_inputs AS t),
    (SELECT coalesce(bit_xor(hash(t)), 0) FROM ref.periods AS t),
    (SELECT coalesce(bit_xor(hash(t)), 0) FROM ref.columns AS t),
    (SELECT count(*) FROM ref.units) + (SELECT count(*) FROM ref.roster)
) AS fingerprint
