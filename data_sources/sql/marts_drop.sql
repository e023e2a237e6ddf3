-- Writes (drops) the mart tables: a full build starts from empty ones (after mart.current_cells was renamed mart.prev_cells:
-- prev_cells_from_current.sql). No parameters.
DROP VIEW IF EXISTS mart.observations;
DROP TABLE IF EXISTS mart.current_cells;
DROP TABLE IF EXISTS mart.validation;
DROP TABLE IF EXISTS mart.flags;
DROP TABLE IF EXISTS mart.texts;
DROP TABLE IF EXISTS mart.submissions;
DROP TABLE IF EXISTS mart.unit_quarter_reports;
DROP TABLE IF EXISTS mart.quarterly;
DROP TABLE IF EXISTS mart.unit_answers;
DROP TABLE IF EXISTS mart.unit_first;
DROP TABLE IF EXISTS mart.answer_years;
DROP TABLE IF EXISTS mart.report_counts;
