-- Writes stg.checks: derived-ratio columns that disagree with their numbers.
-- No parameters; reads the registered frame _checks.
INSERT INTO stg.checks BY NAME SELECT * FROM _checks
