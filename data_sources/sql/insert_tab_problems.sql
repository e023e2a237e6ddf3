-- Writes stg.tab_problems: tabs of this import not imported for a reason a person must fix
-- (their period clues disagree). No parameters; reads the registered frame _tab_problems.
INSERT INTO stg.tab_problems BY NAME SELECT * FROM _tab_problems
