-- Writes raw.web_submissions: one report sent from the «Nộp báo cáo» form, recorded in the version its
-- import publishes (the import is the newest of raw.imports there). Parameters: $unit, $plan, $period,
-- $via, $actor, $generation, $at.
INSERT INTO raw.web_submissions
SELECT (SELECT max(import_id) FROM raw.imports), $unit, $plan, $period, $via, $actor, $generation, $at
