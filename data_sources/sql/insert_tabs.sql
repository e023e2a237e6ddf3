-- Writes raw.tabs: one row per tab read by this import, with its summary.
-- No parameters; reads the registered frame _tabs.
INSERT INTO raw.tabs BY NAME SELECT * FROM _tabs
