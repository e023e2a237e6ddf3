-- Schema of the database file. Grain of each table in its comment.
-- raw: strings exactly as fetched (never deleted); stg: typed, one row per
-- data row / value cell; ref: catalog and units; mart: what pages read.
-- No parameters. Idempotent: run on every publish.
CREATE SCHEMA IF NOT EXISTS raw;
CREATE SCHEMA IF NOT EXISTS stg;
CREATE SCHEMA IF NOT EXISTS ref;
CREATE SCHEMA IF NOT EXISTS mart;

-- one row per import run
CREATE TABLE IF NOT EXISTS raw.imports (
    import_id INTEGER PRIMARY KEY,
    started_at TIMESTAMP,
    seen_at TIMESTAMP,          -- when the data counts as received (normally = started_at)
    finished_at TIMESTAMP,
    province INTEGER,
    files VARCHAR,
    summary_json VARCHAR
);
-- whether seen_at is a known time of receipt: --seen-at given, or a live import (seen_at = now);
-- FALSE for a file loaded without --seen-at (its receipt time is not known: «không rõ thời điểm
-- nhận» once its period's deadline has passed, never «muộn»). NULL in imports before this column
-- (kept as they were counted). Added in place to databases made before it.
ALTER TABLE raw.imports ADD COLUMN IF NOT EXISTS seen_given BOOLEAN;

-- one row per non-empty cell as read
CREATE TABLE IF NOT EXISTS raw.cells (
    import_id INTEGER,
    source VARCHAR,
    sheet VARCHAR,
    "row" INTEGER,
    col INTEGER,
    value VARCHAR,
    type VARCHAR,               -- s string, n number, b boolean, d date
    read_at TIMESTAMP
);

-- one row per tab per import, with its summary
CREATE TABLE IF NOT EXISTS raw.tabs (
    import_id INTEGER,
    source VARCHAR,
    sheet VARCHAR,
    gid VARCHAR,
    url VARCHAR,
    header_row INTEGER,
    error VARCHAR,
    notes VARCHAR,
    cells_read INTEGER,
    imported INTEGER,
    updated INTEGER,
    unchanged INTEGER,
    missing INTEGER,
    rejected INTEGER,
    total_rows INTEGER,
    empty_rows INTEGER
);

-- one row per data row of a tab per import
CREATE TABLE IF NOT EXISTS stg.rows (
    import_id INTEGER,
    source VARCHAR,
    sheet VARCHAR,
    gid VARCHAR,
    url VARCHAR,
    "row" INTEGER,
    unit_col INTEGER,
    unit_text VARCHAR,
    parent_text VARCHAR,
    unit_key VARCHAR,
    unit_code VARCHAR,
    unit_status VARCHAR,        -- matched | ambiguous | unmatched | no_unit
    unit_reason VARCHAR,
    candidates VARCHAR,
    period VARCHAR,
    period_note VARCHAR,
    submitted_at TIMESTAMP,
    seen_at TIMESTAMP,
    ord BIGINT                  -- unique key and global reading order: import × 10¹² + place in the import (tab, row)
);
-- seen_at is a known time of receipt (see raw.imports.seen_given); NULL in rows staged before this column
ALTER TABLE stg.rows ADD COLUMN IF NOT EXISTS seen_given BOOLEAN;

-- one row per field cell of a data row per import
CREATE TABLE IF NOT EXISTS stg.cells (
    import_id INTEGER,
    ord BIGINT,                 -- the staged row (stg.rows.ord)
    "row" INTEGER,
    col INTEGER,
    field VARCHAR,
    raw_value VARCHAR,
    raw_type VARCHAR,
    status VARCHAR,             -- ok | missing | rejected
    value DOUBLE,
    text_value VARCHAR,
    reason VARCHAR
);

-- derived "Tỷ lệ (%)" cells that disagree with their numerator / denominator
CREATE TABLE IF NOT EXISTS stg.checks (
    import_id INTEGER,
    source VARCHAR,
    sheet VARCHAR,
    gid VARCHAR,
    url VARCHAR,
    "row" INTEGER,
    col INTEGER,
    raw_value VARCHAR,
    reason VARCHAR
);

-- tab-level problems: one row per tab of an import that was not imported for a reason a person
-- must fix in the sheet (kind 'ky_mau_thuan': its period clues disagree; reason names them)
CREATE TABLE IF NOT EXISTS stg.tab_problems (
    import_id INTEGER,
    source VARCHAR,
    sheet VARCHAR,
    gid VARCHAR,
    url VARCHAR,
    kind VARCHAR,
    "row" INTEGER,              -- the row to look at first (the «Kỳ báo cáo» title, the first conflicting row)
    reason VARCHAR
);

-- unit names an administrator mapped by hand; applied to every later import
CREATE TABLE IF NOT EXISTS ref.unit_mappings (
    unit_key VARCHAR PRIMARY KEY,
    written_name VARCHAR,
    unit_code VARCHAR,
    confirmed_at TIMESTAMP
);

-- spreadsheets to read (Google Sheets source)
CREATE TABLE IF NOT EXISTS ref.sources (
    source_id VARCHAR PRIMARY KEY,
    url VARCHAR,
    tabs VARCHAR,
    label VARCHAR,
    added_at TIMESTAMP,
    last_ok_at TIMESTAMP,
    last_modified VARCHAR,
    last_error VARCHAR,
    last_attempt_at TIMESTAMP
);

-- The reporting cycle (data_sources/cycle.py): decisions of the office, locked values, pending
-- changes, value history, reminders. Written by imports (pending, history) and by the cycle
-- commands (decisions, locks, reminders), each in a published version like an import.
CREATE SCHEMA IF NOT EXISTS cycle;

-- one row per decision on a unit's quarter: duyet (approved, locks it), tra_lai (returned, with a
-- reason the unit sees), mo_khoa (lock lifted, with a reason). The latest decision is the state.
CREATE TABLE IF NOT EXISTS cycle.decisions (
    id INTEGER,
    unit_code VARCHAR,
    quarter VARCHAR,            -- 2026-Q1
    action VARCHAR,             -- duyet | tra_lai | mo_khoa
    reason VARCHAR,
    after_import INTEGER,       -- the last import before the decision (what it was taken on)
    actor VARCHAR,              -- who (the signed-in name, or --by)
    at_time TIMESTAMP
);

-- one row per unit × native period × field of an approved quarter: the values published while it
-- is locked (copied from mart.current_cells at approval; changed only by accepting a pending change)
CREATE TABLE IF NOT EXISTS cycle.locked_cells (
    unit_code VARCHAR,
    period VARCHAR,
    quarter VARCHAR,
    field VARCHAR,
    kind VARCHAR,
    value DOUBLE,
    text_value VARCHAR,
    ord BIGINT,
    "row" INTEGER,
    col INTEGER
);

-- one row per change an import saw in a locked quarter: waits for the office
CREATE TABLE IF NOT EXISTS cycle.pending (
    id INTEGER,
    unit_code VARCHAR,
    period VARCHAR,
    quarter VARCHAR,
    field VARCHAR,
    old_value DOUBLE,
    old_text VARCHAR,
    new_value DOUBLE,           -- NULL with new_text NULL: the value is gone from the sheet
    new_text VARCHAR,
    new_ord BIGINT,             -- the staged row it was read from (stg.rows.ord)
    "row" INTEGER,
    col INTEGER,
    import_id INTEGER,
    seen_at TIMESTAMP,
    state VARCHAR,              -- cho | chap_nhan | tu_choi | thay_the (a later import saw another value) | bo_khoa (lock lifted)
    decided_by VARCHAR,
    decided_at TIMESTAMP
);

-- one row per change of a published value (not its first publication): old and new, where it was read,
-- by which import or which decision
CREATE TABLE IF NOT EXISTS cycle.history (
    unit_code VARCHAR,
    period VARCHAR,
    quarter VARCHAR,
    field VARCHAR,
    old_value DOUBLE,
    old_text VARCHAR,
    new_value DOUBLE,
    new_text VARCHAR,
    ord BIGINT,                 -- the staged row of the new value (NULL when the value is gone)
    "row" INTEGER,
    col INTEGER,
    import_id INTEGER,          -- the import that changed it, NULL for a decision
    event VARCHAR,              -- nhap (an import) | chap_nhan (a pending change accepted) | mo_khoa (lock lifted)
    actor VARCHAR,              -- who (the signed-in name, or --by)
    at_time TIMESTAMP
);

-- one row per reminder sent to a unit for a quarter (the office marks it on the reporting page)
CREATE TABLE IF NOT EXISTS cycle.reminders (
    unit_code VARCHAR,
    quarter VARCHAR,
    actor VARCHAR,              -- who (the signed-in name, or --by)
    at_time TIMESTAMP
);

-- one row per report sent from the «Nộp báo cáo» form (its cells are raw.cells of import_id, source
-- «web:<plan>:<unit>»): who sent it (a signed-in person's e-mail) or which personal link (its generation),
-- and the exact time it was sent (which decides timeliness)
CREATE TABLE IF NOT EXISTS raw.web_submissions (
    import_id INTEGER,
    unit_code VARCHAR,
    plan VARCHAR,
    period VARCHAR,
    via VARCHAR,                -- tai_khoan (signed in) | lien_ket (personal link)
    actor VARCHAR,              -- the e-mail, or «đường dẫn riêng lần cấp n»
    link_generation INTEGER,
    sent_at TIMESTAMP
);

-- when the row's content was first read, for a row a tab's earlier read said word for word (a sheet read again
-- because another row changed): a re-read unchanged row keeps the time it first came, so it never wins over a
-- later report of its unit (a web correction) by being read again. NULL: the row is new or changed (seen_at).
ALTER TABLE stg.rows ADD COLUMN IF NOT EXISTS first_seen TIMESTAMP;
