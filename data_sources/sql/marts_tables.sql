-- Writes the mart tables a build fills key by key (build_marts.sql), created empty when missing: the first
-- build, or a full one after marts_drop.sql. Types as the queries that fill them produce. No parameters.
CREATE TABLE IF NOT EXISTS mart.current_cells (
    unit_code VARCHAR, period VARCHAR, quarter VARCHAR, field VARCHAR, kind VARCHAR, value DOUBLE, text_value VARCHAR,
    ord BIGINT, "row" INTEGER, col INTEGER
);
CREATE TABLE IF NOT EXISTS mart.validation (
    unit_code VARCHAR, period VARCHAR, num_field VARCHAR, den_field VARCHAR, num_value DOUBLE, den_value DOUBLE,
    source VARCHAR, sheet VARCHAR, gid VARCHAR, url VARCHAR, "row" INTEGER, col INTEGER
);
CREATE TABLE IF NOT EXISTS mart.flags (unit_code VARCHAR, period VARCHAR, field VARCHAR);
CREATE TABLE IF NOT EXISTS mart.texts (
    unit_code VARCHAR, period VARCHAR, quarter VARCHAR, field VARCHAR, text VARCHAR, source VARCHAR, sheet VARCHAR,
    "row" INTEGER
);
CREATE TABLE IF NOT EXISTS mart.submissions (
    unit_code VARCHAR, period VARCHAR, quarter VARCHAR, first_at TIMESTAMP, last_at TIMESTAMP, submissions BIGINT,
    first_known BOOLEAN
);
CREATE TABLE IF NOT EXISTS mart.unit_quarter_reports (
    unit_code VARCHAR, quarter VARCHAR, first_at TIMESTAMP, submissions HUGEINT, first_known BOOLEAN
);
CREATE TABLE IF NOT EXISTS mart.quarterly (
    unit_code VARCHAR, quarter VARCHAR, year INTEGER, qn INTEGER, field VARCHAR, agg VARCHAR, value DOUBLE,
    flagged BOOLEAN
);
