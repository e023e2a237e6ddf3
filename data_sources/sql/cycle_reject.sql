-- Writes cycle.pending: rejects a pending change: the published value stays; the same new value read again by a later
-- import is not listed again. Parameters: $id, $by, $at.
UPDATE cycle.pending SET state = 'tu_choi', decided_by = $by, decided_at = $at WHERE id = $id
