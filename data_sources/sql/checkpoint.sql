-- Writes the new version's WAL into its file before the link is swapped. No parameters.
CHECKPOINT
