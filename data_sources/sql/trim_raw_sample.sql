-- Writes raw.cells: of a tab where no form was found (no header row), keeps the first $keep non-empty cells
-- (by row, then column) as a sample and deletes the rest; the tab's note says so (ingest.py).
-- Grain: import × tab. Parameters: $id (import id), $source, $sheet, $keep.
DELETE FROM raw.cells
WHERE import_id = $id AND source = $source AND sheet = $sheet
  AND "row"::BIGINT * 1000000 + col > (
      SELECT max(k) FROM (
          SELECT "row"::BIGINT * 1000000 + col AS k
          FROM raw.cells
          WHERE import_id = $id AND source = $source AND sheet = $sheet
          ORDER BY k
          LIMIT $keep
      )
  )
