-- Writes every ref.* table from the catalog and the unit registry, on every publish.
-- No parameters; reads the registered frames _ref_<table> (one per table below).
CREATE OR REPLACE TABLE ref.units AS SELECT * FROM _ref_units;
CREATE OR REPLACE TABLE ref.fields AS SELECT * FROM _ref_fields;
CREATE OR REPLACE TABLE ref.settings AS SELECT * FROM _ref_settings;
CREATE OR REPLACE TABLE ref.provinces AS SELECT * FROM _ref_provinces;
CREATE OR REPLACE TABLE ref.plans AS SELECT * FROM _ref_plans;
CREATE OR REPLACE TABLE ref.indicators AS SELECT * FROM _ref_indicators;
CREATE OR REPLACE TABLE ref.targets AS SELECT * FROM _ref_targets;
CREATE OR REPLACE TABLE ref.deadlines AS SELECT * FROM _ref_deadlines;
CREATE OR REPLACE TABLE ref.roster AS SELECT * FROM _ref_roster;
CREATE OR REPLACE TABLE ref.statuses AS SELECT * FROM _ref_statuses;
CREATE OR REPLACE TABLE ref.indicator_inputs AS SELECT * FROM _ref_indicator_inputs;
CREATE OR REPLACE TABLE ref.periods AS SELECT * FROM _ref_periods;
