-- Build the marts from stg + ref for the keys in temp touched (unit × native period): every key (a full
-- build: marts_touched_all.sql, the tables emptied by marts_drop.sql) or those one import can change
-- (marts_touched_import.sql). Run inside a publish after marts_rows.sql (temp all_rows, live_rows) and
-- marts_tables.sql; each table below loses the rows of the touched keys and gets them computed again
-- (tests/test_answers.py: an import built key by key equals a full build, table for table). The
-- problem lists (mart.rejects, mart.unmatched) are computed whole. No parameters.
--
-- Rules (bieu-mau.md):
--  * live rows: only the latest import of each (source, sheet) is live; older
--    reads of the same tab are history.
--  * a row's unit: matched at ingest, else an administrator's mapping.
--  * resubmissions: per unit and period the latest submission wins, whatever its source: Forms
--    timestamp (a web report: the time it was sent), else the time the product first read that
--    content (a row read again unchanged keeps it: stg.rows.first_seen); ties by reading order.
--  * a count above its denominator flags the pair: kept, listed, no target.
--  * a unit's quarter approved by the office is locked: its published cells stay as approved
--    (cycle.locked_cells); what an import reads differently waits in cycle.pending.

-- Column letters come from ref.columns and the quarter of a period from ref.periods (both
-- written at publish from the one Python definition: openpyxl's get_column_letter and
-- core/periods.py); this file recomputes neither.

-- grain: one row per unit × native period × field of the winning submission (counts, yes/no, text).
-- Where it was read (source, sheet, times) is on its row: stg.rows, by ord. Kept narrow: it
-- is written to the published file, a million cells at national scale.
DELETE FROM mart.current_cells AS c USING touched AS t WHERE c.unit_code = t.unit_code AND c.period = t.period;
INSERT INTO mart.current_cells
SELECT
    r.code AS unit_code,
    r.period,
    p.quarter,
    c.field,
    f.kind,
    c.value,
    c.text_value,
    c.ord,
    c."row",
    c.col
FROM live_rows AS r
JOIN stg.cells AS c ON c.ord = r.ord
JOIN ref.fields AS f ON f.code = c.field
LEFT JOIN ref.periods AS p ON p.period = r.period
SEMI JOIN touched AS t ON t.unit_code = r.code AND t.period = r.period
WHERE r.rank = 1 AND c.status = 'ok';

-- grain: one row per unit × quarter whose latest decision is an approval: locked (temp)
CREATE OR REPLACE TEMP TABLE locked_keys AS
SELECT unit_code, quarter
FROM (
    SELECT unit_code, quarter, action, row_number() OVER (PARTITION BY unit_code, quarter ORDER BY id DESC) AS k
    FROM cycle.decisions
)
WHERE k = 1 AND action = 'duyet';

-- grain: one row per cell of a locked quarter where what the sheets say now differs from what is
-- published (a value changed, appeared or is gone) (temp)
CREATE OR REPLACE TEMP TABLE locked_diffs AS
SELECT
    coalesce(f.unit_code, l.unit_code) AS unit_code, coalesce(f.period, l.period) AS period,
    coalesce(f.quarter, l.quarter) AS quarter, coalesce(f.field, l.field) AS field,
    l.value AS old_value, l.text_value AS old_text, f.value AS new_value, f.text_value AS new_text,
    f.ord AS new_ord, coalesce(f."row", l."row") AS "row", coalesce(f.col, l.col) AS col
FROM (
    SELECT * FROM mart.current_cells SEMI JOIN locked_keys USING (unit_code, quarter) SEMI JOIN touched USING (unit_code, period)
) AS f
FULL JOIN (
    SELECT * FROM cycle.locked_cells SEMI JOIN locked_keys USING (unit_code, quarter) SEMI JOIN touched USING (unit_code, period)
) AS l
    ON l.unit_code = f.unit_code AND l.period = f.period AND l.field = f.field
WHERE f.value IS DISTINCT FROM l.value OR f.text_value IS DISTINCT FROM l.text_value;

-- a waiting change whose value the sheets no longer say is superseded (of the keys computed again: the
-- others' sheets said nothing new)
UPDATE cycle.pending AS p SET state = 'thay_the', decided_at = CAST(current_localtimestamp() AS TIMESTAMP)
WHERE p.state = 'cho'
  AND EXISTS (SELECT 1 FROM touched AS t WHERE t.unit_code = p.unit_code AND t.period = p.period)
  AND NOT EXISTS (
      SELECT 1 FROM locked_diffs AS d
      WHERE d.unit_code = p.unit_code AND d.period = p.period AND d.field = p.field
        AND d.new_value IS NOT DISTINCT FROM p.new_value AND d.new_text IS NOT DISTINCT FROM p.new_text
  );

-- a new difference waits for the office (once: not again when it waits or was rejected)
INSERT INTO cycle.pending
SELECT
    (SELECT coalesce(max(id), 0) FROM cycle.pending) + row_number() OVER (ORDER BY d.unit_code, d.period, d.field),
    d.unit_code, d.period, d.quarter, d.field, d.old_value, d.old_text, d.new_value, d.new_text, d.new_ord,
    d."row", d.col, r.import_id, r.seen_at, 'cho', NULL, NULL
FROM locked_diffs AS d
LEFT JOIN stg.rows AS r ON r.ord = d.new_ord
WHERE NOT EXISTS (
    SELECT 1 FROM cycle.pending AS p
    WHERE p.unit_code = d.unit_code AND p.period = d.period AND p.field = d.field AND p.state IN ('cho', 'tu_choi')
      AND p.new_value IS NOT DISTINCT FROM d.new_value AND p.new_text IS NOT DISTINCT FROM d.new_text
);

-- in a locked quarter the values approved (and changes accepted since) are what is published
DELETE FROM mart.current_cells AS c USING locked_keys AS k, touched AS t
WHERE c.unit_code = k.unit_code AND c.quarter = k.quarter AND c.unit_code = t.unit_code AND c.period = t.period;
INSERT INTO mart.current_cells
SELECT * FROM cycle.locked_cells SEMI JOIN locked_keys USING (unit_code, quarter) SEMI JOIN touched USING (unit_code, period);

-- grain: one row per ≤ pair broken in a winning submission. The pairs are found first (few or none),
-- then where their row was read: not the other way round, a join of every current cell.
DELETE FROM mart.validation AS v USING touched AS t WHERE v.unit_code = t.unit_code AND v.period = t.period;
INSERT INTO mart.validation
WITH broken AS MATERIALIZED (
    SELECT
        n.unit_code, n.period, n.field AS num_field, d.field AS den_field,
        n.value AS num_value, d.value AS den_value, n.ord, n."row", n.col
    FROM (SELECT * FROM mart.current_cells SEMI JOIN touched USING (unit_code, period)) AS n
    JOIN ref.fields AS f ON f.code = n.field AND f.denominator <> ''
    JOIN mart.current_cells AS d ON d.unit_code = n.unit_code AND d.period = n.period AND d.field = f.denominator
    WHERE n.value > d.value
)
SELECT
    b.unit_code, b.period, b.num_field, b.den_field, b.num_value, b.den_value,
    r.source, r.sheet, r.gid, r.url, b."row", b.col
FROM broken AS b
-- the row the cell was read from: live, or in a locked quarter the approved one (a later read of its tab
-- leaves it no longer live, its pair still broken)
JOIN stg.rows AS r ON r.ord = b.ord;

-- the fields of a broken ≤ pair, per unit and period
DELETE FROM mart.flags AS f USING touched AS t WHERE f.unit_code = t.unit_code AND f.period = t.period;
INSERT INTO mart.flags
SELECT unit_code, period, num_field AS field FROM mart.validation SEMI JOIN touched USING (unit_code, period)
UNION
SELECT unit_code, period, den_field AS field FROM mart.validation SEMI JOIN touched USING (unit_code, period);

-- grain: one row per unit × native period × count or yes/no field (current value).
-- A view: pages read mart.quarterly; this serves exports and one unit's history.
CREATE OR REPLACE VIEW mart.observations AS
SELECT
    c.unit_code, u.name AS unit_name, u.level, u.parent_code,
    c.period, c.quarter, c.field, c.value,
    f.field IS NOT NULL AS flagged,
    r.source, r.sheet, c."row", c.col, r.submitted_at, r.seen_at
FROM mart.current_cells AS c
JOIN stg.rows AS r ON r.ord = c.ord
JOIN ref.units AS u ON u.code = c.unit_code
LEFT JOIN mart.flags AS f ON f.unit_code = c.unit_code AND f.period = c.period AND f.field = c.field
WHERE c.kind IN ('count', 'yesno');

-- grain: one row per unit × native period × text field (khó khăn, đề xuất, ghi chú)
DELETE FROM mart.texts AS x USING touched AS t WHERE x.unit_code = t.unit_code AND x.period = t.period;
INSERT INTO mart.texts
SELECT c.unit_code, c.period, c.quarter, c.field, c.text_value AS text, r.source, r.sheet, c."row"
FROM (SELECT * FROM mart.current_cells SEMI JOIN touched USING (unit_code, period)) AS c
JOIN stg.rows AS r ON r.ord = c.ord  -- live, or a locked quarter's approved row (as mart.validation)
WHERE c.kind = 'text';

-- grain: one row per unit × native period that has a submission (any import)
DELETE FROM mart.submissions AS s USING touched AS t WHERE s.unit_code = t.unit_code AND s.period = t.period;
INSERT INTO mart.submissions
SELECT
    a.code AS unit_code,
    a.period,
    p.quarter,
    min(coalesce(a.submitted_at, a.seen_at)) AS first_at,
    max(coalesce(a.submitted_at, a.seen_at)) AS last_at,
    count(DISTINCT a.ord) AS submissions,
    -- first_at is a known time of receipt (else: loaded later without --seen-at): whether the row that gives
    -- first_at was read at a known time. Not by eff_at: a row read again unchanged keeps the first read's time
    -- (first_seen) but says whether its own read's time is known, a tie that could take the later read's word
    arg_min(a.eff_known, coalesce(a.submitted_at, a.seen_at)) AS first_known
FROM all_rows AS a
LEFT JOIN ref.periods AS p ON p.period = a.period
SEMI JOIN touched AS t ON t.unit_code = a.code AND t.period = a.period
WHERE a.code IS NOT NULL AND a.period IS NOT NULL
GROUP BY ALL;

-- grain: one row per unit × quarter with a submission: when it first reported, how many times, and
-- whether that first time is a known time of receipt (queries/reporting.sql reads it: prepared here
-- once per version rather than summed over every submission of history at each page rerun)
CREATE OR REPLACE TEMP TABLE touched_quarters AS
SELECT DISTINCT t.unit_code, p.quarter
FROM touched AS t JOIN ref.periods AS p ON p.period = t.period
WHERE p.quarter IS NOT NULL;
DELETE FROM mart.unit_quarter_reports AS x USING touched_quarters AS t
WHERE x.unit_code = t.unit_code AND x.quarter = t.quarter;
INSERT INTO mart.unit_quarter_reports
SELECT unit_code, quarter, min(first_at) AS first_at, sum(submissions) AS submissions,
    arg_min(first_known, first_at) AS first_known
FROM mart.submissions
SEMI JOIN touched_quarters USING (unit_code, quarter)
WHERE quarter IS NOT NULL
GROUP BY ALL
ORDER BY quarter, unit_code;

-- grain: one row per problem a person must see (rejected value, unit not
-- matched, period unknown, ≤ pair broken, superseded value, ratio mismatch), and one per tab
-- whose period clues disagree (its latest read, unless a later import read the tab well). Its kind is a
-- word of the problem list (ui/tables.py); its field is a catalog code, found by kind in ref.fields
-- (live_rows and all_rows are narrow: a listed row's written name, reason and link come from stg.rows, joined
-- by ord after the rows are chosen)
-- grain: one row per staged cell refused, of any import (temp): few or none, and a table, so that the joins below
-- are built on them (the planner cannot tell how few a filter on the staged cells leaves, and then hashed every
-- live row: 0.14 s at three national years)
CREATE OR REPLACE TEMP TABLE rejected_cells AS SELECT * FROM stg.cells WHERE status = 'rejected';
CREATE OR REPLACE TABLE mart.rejects AS
WITH live AS NOT MATERIALIZED (SELECT * FROM live_rows)
SELECT 'gia_tri' AS kind, r.source, r.sheet, c."row", (SELECT letter FROM ref.columns WHERE col = c.col) AS "column", c.field,
       coalesce(u.name, s.unit_text) AS unit, c.raw_value, c.reason, s.gid, s.url, c.col, r.code AS unit_code
FROM rejected_cells AS c
JOIN live AS r ON r.ord = c.ord
JOIN stg.rows AS s ON s.ord = c.ord
LEFT JOIN ref.units AS u ON u.code = r.code
WHERE r.code IS NOT NULL AND r.period IS NOT NULL
UNION ALL
SELECT CASE WHEN r.match_status = 'ambiguous' THEN 'don_vi_nhieu' ELSE 'don_vi' END,
       r.source, r.sheet, r."row", (SELECT letter FROM ref.columns WHERE col = s.unit_col),
       (SELECT code FROM ref.fields WHERE kind = 'unit'),
       s.unit_text, s.unit_text,
       s.unit_reason
           || CASE WHEN s.candidates <> '' THEN '. Gần nhất: ' || s.candidates ELSE '' END
           || '. Các giá trị của dòng này chưa được tính; hãy sửa tên trong bảng hoặc xác nhận đơn vị ở trang Chất lượng dữ liệu.',
       s.gid, s.url, s.unit_col, NULL
FROM (SELECT * FROM live WHERE code IS NULL) AS r
JOIN stg.rows AS s ON s.ord = r.ord
UNION ALL
SELECT 'ky_bao_cao', r.source, r.sheet, r."row", NULL, (SELECT code FROM ref.fields WHERE kind = 'period'),
       coalesce(u.name, s.unit_text), NULL,
       s.period_note || '. Các giá trị của dòng này chưa được tính.', s.gid, s.url, NULL, r.code
FROM (SELECT * FROM live WHERE period IS NULL AND code IS NOT NULL) AS r
JOIN stg.rows AS s ON s.ord = r.ord
LEFT JOIN ref.units AS u ON u.code = r.code
UNION ALL
SELECT 'kiem_tra', v.source, v.sheet, v."row", (SELECT letter FROM ref.columns WHERE col = v.col), v.num_field, u.name,
       CAST(v.num_value AS BIGINT)::VARCHAR,
       '«' || fn.name || '» (' || replace(format('{:,}', CAST(v.num_value AS BIGINT)), ',', '.') || ') lớn hơn «'
           || fd.name || '» (' || replace(format('{:,}', CAST(v.den_value AS BIGINT)), ',', '.')
           || '): hai số được lưu nhưng không tính vào chỉ tiêu. Hãy kiểm tra lại với đơn vị.',
       v.gid, v.url, v.col, v.unit_code
FROM mart.validation AS v
JOIN ref.units AS u ON u.code = v.unit_code
JOIN ref.fields AS fn ON fn.code = v.num_field
JOIN ref.fields AS fd ON fd.code = v.den_field
UNION ALL
SELECT 'thay_the', r.source, r.sheet, c."row", (SELECT letter FROM ref.columns WHERE col = c.col), c.field, u.name, c.raw_value,
       'Đã được thay bằng lần báo cáo sau của đơn vị cho ' || CASE  -- the period in words: quý II/2026
           WHEN r.period LIKE '____-Q_' THEN 'quý ' || ['I', 'II', 'III', 'IV'][CAST(right(r.period, 1) AS INTEGER)]
               || '/' || left(r.period, 4)
           WHEN r.period LIKE '____-H1' THEN '6 tháng đầu năm ' || left(r.period, 4)
           WHEN r.period LIKE '____-H2' THEN '6 tháng cuối năm ' || left(r.period, 4)
           WHEN length(r.period) = 4 THEN 'năm ' || r.period
           ELSE 'tháng ' || CAST(CAST(right(r.period, 2) AS INTEGER) AS VARCHAR) || '/' || left(r.period, 4) END
           || ' (' || strftime(w.eff_at, '%d/%m/%Y %H:%M') || ', ' || w.sheet || ' dòng ' || w."row" || ')'
           -- the two reports disagree (a sheet row and a web report, or two sheets): say what the later one says
           || CASE WHEN wc.ord IS NULL OR wc.status <> 'ok' THEN '; lần sau không ghi mục này'
                   WHEN wc.value IS NOT DISTINCT FROM c.value AND wc.text_value IS NOT DISTINCT FROM c.text_value
                       THEN '; cùng giá trị'
                   ELSE '; KHÁC NHAU: lần sau ghi «' || wc.raw_value || '»' END,
       s.gid, s.url, c.col, r.code
FROM (SELECT * FROM live WHERE rank > 1) AS r
JOIN stg.rows AS s ON s.ord = r.ord
JOIN live AS w ON w.code = r.code AND w.period = r.period AND w.rank = 1
JOIN stg.cells AS c ON c.ord = r.ord
LEFT JOIN stg.cells AS wc ON wc.ord = w.ord AND wc.field = c.field
JOIN ref.units AS u ON u.code = r.code
WHERE r.rank > 1 AND c.status = 'ok'
UNION ALL
SELECT 'ty_le', k.source, k.sheet, k."row", (SELECT letter FROM ref.columns WHERE col = k.col),
       (SELECT code FROM ref.fields WHERE kind = 'derived'), coalesce(u.name, s.unit_text), k.raw_value, k.reason,
       k.gid, k.url, k.col, r.code  -- the row's unit: a unit sees its own ratio mismatches
FROM stg.checks AS k
LEFT JOIN all_rows AS r ON r.import_id = k.import_id AND r.source = k.source AND r.sheet = k.sheet AND r."row" = k."row"
LEFT JOIN stg.rows AS s ON s.ord = r.ord
LEFT JOIN ref.units AS u ON u.code = r.code
WHERE k.import_id = (SELECT max(import_id) FROM stg.checks AS k2 WHERE k2.source = k.source AND k2.sheet = k.sheet)
UNION ALL
SELECT p.kind, p.source, p.sheet, p."row", NULL, (SELECT code FROM ref.fields WHERE kind = 'period'), NULL, NULL,
       p.reason, p.gid, p.url, NULL, NULL
FROM stg.tab_problems AS p
WHERE p.import_id = (SELECT max(import_id) FROM stg.tab_problems AS p2 WHERE p2.source = p.source AND p2.sheet = p.sheet)
  AND NOT EXISTS (
      SELECT 1 FROM all_rows AS r WHERE r.source = p.source AND r.sheet = p.sheet AND r.import_id > p.import_id
  );

-- grain: one row per distinct written unit name not matched (live rows)
CREATE OR REPLACE TABLE mart.unmatched AS
SELECT
    s.unit_key, s.unit_text, s.parent_text, r.match_status AS status, min(s.unit_reason) AS reason,
    min(s.candidates) AS candidates, count(*) AS rows,
    string_agg(DISTINCT r.source || ' / ' || r.sheet, '; ' ORDER BY r.source || ' / ' || r.sheet) AS sources
FROM (SELECT * FROM live_rows WHERE code IS NULL) AS r
JOIN stg.rows AS s ON s.ord = r.ord
WHERE s.unit_text <> ''
GROUP BY ALL;
;

-- grain: one row per unit × quarter × count or yes/no field. Months roll up
-- into their quarter (flows add, stocks take the last month) unless the unit
-- reported the quarter itself; a half-year or year report counts in the last
-- quarter of its span when the unit has nothing finer there.
-- the quarters the touched periods count in (a month in its quarter, a half or a year in its last)
CREATE OR REPLACE TEMP TABLE touched_counts_in AS
SELECT DISTINCT t.unit_code, p.counts_in AS quarter
FROM touched AS t JOIN ref.periods AS p ON p.period = t.period;
DELETE FROM mart.quarterly AS x USING touched_counts_in AS t WHERE x.unit_code = t.unit_code AND x.quarter = t.quarter;
INSERT INTO mart.quarterly
WITH o AS (
    SELECT
        c.unit_code, c.period, c.field, c.value, f.agg,
        fl.field IS NOT NULL AS flagged,
        p.counts_in AS q, p.grain
    -- the cells of the periods that count in a touched quarter first (a filter on period: the row groups of
    -- other years skipped), then the touched units' among them
    FROM (
        SELECT * FROM mart.current_cells
        WHERE kind IN ('count', 'yesno')
          AND period IN (SELECT period FROM ref.periods WHERE counts_in IN (SELECT quarter FROM touched_counts_in))
    ) AS c
    JOIN ref.periods AS p ON p.period = c.period
    SEMI JOIN touched_counts_in AS t ON t.unit_code = c.unit_code AND t.quarter = p.counts_in
    JOIN ref.fields AS f ON f.code = c.field
    LEFT JOIN mart.flags AS fl ON fl.unit_code = c.unit_code AND fl.period = c.period AND fl.field = c.field
),
-- the usual case: the unit reported the quarter itself (one current row per unit × quarter × field)
native AS (
    SELECT unit_code, q, field, agg, value, flagged FROM o WHERE grain = 1
),
-- months, halves and years, only where the quarter itself was not reported; the finest grain wins.
-- Few cells or none are coarse: the quarters reported natively are looked up for their keys only
-- (a semi join built on the few coarse keys), not hashed whole (millions of cells).
coarse_all AS (
    SELECT * FROM o WHERE grain > 1
),
native_over_coarse AS (
    SELECT DISTINCT unit_code, q, field FROM native SEMI JOIN coarse_all USING (unit_code, q, field)
),
coarse AS (
    SELECT * FROM coarse_all ANTI JOIN native_over_coarse USING (unit_code, q, field)
),
rolled AS (
    SELECT
        unit_code, q, field, any_value(agg) AS agg, min(grain) AS best,
        sum(value) FILTER (WHERE grain = 2) AS s2, sum(value) FILTER (WHERE grain = 3) AS s3,
        arg_max(value, period) FILTER (WHERE grain = 2) AS l2, arg_max(value, period) FILTER (WHERE grain = 3) AS l3,
        bool_or(flagged) FILTER (WHERE grain = 2) AS f2, bool_or(flagged) FILTER (WHERE grain = 3) AS f3
    FROM coarse
    GROUP BY unit_code, q, field
),
all_q AS (
    SELECT unit_code, q, field, agg, value, flagged FROM native
    UNION ALL
    SELECT
        unit_code, q, field, agg,
        CASE WHEN best = 2 THEN CASE WHEN agg = 'sum' THEN s2 ELSE l2 END
             ELSE CASE WHEN agg = 'sum' THEN s3 ELSE l3 END END,
        CASE WHEN best = 2 THEN f2 ELSE f3 END
    FROM rolled
)
SELECT
    a.unit_code, a.q AS quarter, p.year, p.qn, a.field, a.agg, a.value, a.flagged
FROM all_q AS a
LEFT JOIN ref.periods AS p ON p.period = a.q
-- a province's units have neighbouring codes (schools carry their xã/phường code): stored in code
-- order, a page that asks for one province reads a few row groups, not all of them (the order
-- inside a unit does not matter, and sorting on one key costs less than on three)
ORDER BY unit_code
