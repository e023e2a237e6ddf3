-- Writes ref.unit_mappings: «written name» -> unit, remembered for every later import.
-- Parameters: $k (normalised name key), $w (the name as written), $c (unit code), $t (when).
INSERT OR REPLACE INTO ref.unit_mappings VALUES ($k, $w, $c, $t)
