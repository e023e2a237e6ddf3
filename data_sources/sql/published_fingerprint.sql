-- Reads: a fingerprint of what pages and exports read (every mart table), compared before and after an
-- import's rebuild: an import whose rebuild leaves it the same, and whose cells equal the last read of the
-- same sources (import_changes.sql), publishes nothing. Left out, because re-reading the same file is not a
-- new report: the winning cell's ord and a submission's latest time and count. Grain: one row. No parameters.
SELECT list_value(
    (SELECT coalesce(bit_xor(hash(t)), 0) FROM (SELECT * EXCLUDE (ord) FROM mart.current_cells) AS t),
    (SELECT coalesce(bit_xor(hash(t)), 0) FROM mart.flags AS t),
    (SELECT coalesce(bit_xor(hash(t)), 0) FROM mart.quarterly AS t),
    (SELECT coalesce(bit_xor(hash(t)), 0) FROM mart.rejects AS t),
    (SELECT coalesce(bit_xor(hash(t)), 0)
     FROM (SELECT unit_code, period, quarter, first_at, first_known FROM mart.submissions) AS t),
    (SELECT coalesce(bit_xor(hash(t)), 0) FROM mart.texts AS t),
    (SELECT coalesce(bit_xor(hash(t)), 0) FROM mart.unmatched AS t),
    (SELECT coalesce(bit_xor(hash(t)), 0) FROM mart.validation AS t),
    (SELECT count(*) FROM mart.current_cells) + (SELECT count(*) FROM mart.rejects)
) AS fingerprint
