-- Writes every ref.* table from the catalog and the unit registry, on every publish.
-- No parameters; reads the registered frames _ref_<table> (one per table below).
-- Tables SQL joins instead of recomputing (one definition each, in Python):
--   ref.periods (period, kind, year, quarter, qn, counts_in, grain, first_day, last_day): core.periods.calendar_rows
--   ref.columns (col INTEGER 1-based, letter): openpyxl's get_column_letter
--   ref.statuses (code, label, colour, symbol, ord): catalog/statuses.csv
--   ref.indicator_inputs (indicator, role, field): the fields each indicator reads
--   ref.unit_kinds (code, label): catalog/loai_don_vi.csv, the values of ref.units.level
-- ref.units: the official xã/phường (level 'xa'), the school registry ('truong') and the unit
--   registry catalog/don_vi.csv (level = its kind: 'chi_bo', 'co_quan', 'phong'…; parent_code = cap_tren).
CREATE OR REPLACE TABLE ref.units AS SELECT * FROM _ref_units;
CREATE OR REPLACE TABLE ref.fields AS SELECT * FROM _ref_fields;
CREATE OR REPLACE TABLE ref.settings AS SELECT * FROM _ref_settings;
CREATE OR REPLACE TABLE ref.provinces AS SELECT * FROM _ref_provinces;
CREATE OR REPLACE TABLE ref.plans AS SELECT * FROM _ref_plans;
CREATE OR REPLACE TABLE ref.unit_kinds AS SELECT CAST(code AS VARCHAR) AS code, CAST(label AS VARCHAR) AS label FROM _ref_unit_kinds;
CREATE OR REPLACE TABLE ref.indicators AS SELECT * FROM _ref_indicators;
CREATE OR REPLACE TABLE ref.targets AS SELECT * FROM _ref_targets;
CREATE OR REPLACE TABLE ref.deadlines AS SELECT * FROM _ref_deadlines;
CREATE OR REPLACE TABLE ref.roster AS
SELECT CAST(ma_don_vi AS VARCHAR) AS ma_don_vi, CAST(phai_bao_cao AS BOOLEAN) AS phai_bao_cao,
       CAST(ghi_chu AS VARCHAR) AS ghi_chu, CAST(nguoi_lien_he AS VARCHAR) AS nguoi_lien_he,
       CAST(dien_thoai AS VARCHAR) AS dien_thoai, CAST(email AS VARCHAR) AS email
FROM _ref_roster;
CREATE OR REPLACE TABLE ref.statuses AS SELECT * FROM _ref_statuses;
CREATE OR REPLACE TABLE ref.indicator_inputs AS SELECT * FROM _ref_indicator_inputs;
CREATE OR REPLACE TABLE ref.periods AS
SELECT * REPLACE (CAST(year AS INTEGER) AS year, CAST(qn AS INTEGER) AS qn, CAST(grain AS INTEGER) AS grain)
FROM _ref_periods;
CREATE OR REPLACE TABLE ref.columns AS SELECT CAST(col AS INTEGER) AS col, letter FROM _ref_columns;
