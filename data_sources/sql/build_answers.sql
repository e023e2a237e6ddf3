-- Writes the answers prepared at publish: what the pages ask for, per unit, computed once per published version
-- so that a page's rerun is a lookup plus a small sum over the units it shows (queries/progress.sql,
-- queries/reporting.sql). Run after build_marts.sql, in the same publish. No parameters.
--
--  * mart.unit_answers: per unit × year with data × indicator, for each of the year's quarters, its
--    halves and the year itself (the slots 1–7 of two lists), the indicator's numerator and denominator as chi-tieu.md defines them: a ratio is the
--    sum of its numerator fields over the sum of its denominator fields, stocks at the end of the
--    period, a flagged ≤ pair counts toward nothing; a share of units answering yes: the answer and 1;
--    a yearly count: year to date; a count per quarter: the period's sum over the quarters reported.
--    Nothing here depends on a plan or on who looks: targets and judging are read with the plan.
--  * mart.unit_first: per unit × ratio or yes/no indicator, its first reported quarter (the pace line's start).
--  * mart.unit_quarter_reports (build_marts.sql): per unit × quarter, when it first reported.
--
-- Years of history: only the units × years whose quarterly values this build computed again (the keys an
-- import or a decision touched, build_marts.sql) are computed again; a unit's first report from those years
-- (its whole history when its kept first lies in one of them). A full build (marts_drop.sql) computes them all (tests/test_answers.py: equal).

-- the seven periods of a year are slots of a list: 1–4 its quarters, 5 and 6 its halves, 7 the year
CREATE TABLE IF NOT EXISTS mart.unit_answers (
    year INTEGER, unit_code VARCHAR, indicator VARCHAR, nums DOUBLE[], dens DOUBLE[]
);
CREATE TABLE IF NOT EXISTS mart.unit_first (
    unit_code VARCHAR, indicator VARCHAR, yq0 INTEGER, q0 VARCHAR, v0 DOUBLE, num0 DOUBLE, den0 DOUBLE
);

-- grain: one row per indicator input the answers use (the catalog's formulas) (temp)
CREATE OR REPLACE TEMP TABLE answer_inputs AS
SELECT x.indicator, x.role, x.field, i.loai
FROM ref.indicator_inputs AS x
JOIN ref.indicators AS i ON i.code = x.indicator
WHERE i.loai IN ('ratio', 'share_yes', 'year_sum', 'quarter_sum');

-- grain: one row per unit × year whose quarterly values this build computed again (build_marts.sql:
-- touched_counts_in, every unit's every year in a full build) (temp)
CREATE OR REPLACE TEMP TABLE answer_todo AS
SELECT DISTINCT t.unit_code, CAST(p.year AS INTEGER) AS year
FROM touched_counts_in AS t JOIN ref.periods AS p ON p.period = t.quarter;

DELETE FROM mart.unit_answers AS a USING answer_todo AS t WHERE a.unit_code = t.unit_code AND a.year = t.year;

-- Over quarters a..b of a year, of one field (q: v1..v4 its value each quarter, e1..e4 whether it was
-- reported, g1..g4 whether its ≤ pair is flagged): the value and the flag of the last quarter reported, whether any
-- was, the sum of the values (NULL when none) and how many quarters were reported.
CREATE OR REPLACE TEMP MACRO in_q(x, k, a, b) AS CASE WHEN a <= k AND b >= k THEN x END;
CREATE OR REPLACE TEMP MACRO last_of(x1, x2, x3, x4, e1, e2, e3, e4, a, b) AS
    CASE WHEN a <= 4 AND b >= 4 AND e4 THEN x4 WHEN a <= 3 AND b >= 3 AND e3 THEN x3
         WHEN a <= 2 AND b >= 2 AND e2 THEN x2 WHEN a <= 1 AND b >= 1 AND e1 THEN x1 END;
CREATE OR REPLACE TEMP MACRO any_of(e1, e2, e3, e4, a, b) AS
    coalesce(in_q(e1, 1, a, b), FALSE) OR coalesce(in_q(e2, 2, a, b), FALSE)
    OR coalesce(in_q(e3, 3, a, b), FALSE) OR coalesce(in_q(e4, 4, a, b), FALSE);
CREATE OR REPLACE TEMP MACRO sum_of(v1, v2, v3, v4, a, b) AS
    CASE WHEN coalesce(in_q(v1, 1, a, b), in_q(v2, 2, a, b), in_q(v3, 3, a, b), in_q(v4, 4, a, b)) IS NOT NULL
         THEN coalesce(in_q(v1, 1, a, b), 0) + coalesce(in_q(v2, 2, a, b), 0) + coalesce(in_q(v3, 3, a, b), 0)
              + coalesce(in_q(v4, 4, a, b), 0) END;
CREATE OR REPLACE TEMP MACRO count_of(e1, e2, e3, e4, a, b) AS
    CAST(coalesce(in_q(e1, 1, a, b), FALSE) AS INTEGER) + CAST(coalesce(in_q(e2, 2, a, b), FALSE) AS INTEGER)
    + CAST(coalesce(in_q(e3, 3, a, b), FALSE) AS INTEGER) + CAST(coalesce(in_q(e4, 4, a, b), FALSE) AS INTEGER);
-- A field's part of an indicator's numerator over quarters a..b: a ratio takes the numerator field's last
-- value of the period unless its ≤ pair is flagged; a share of units the last answer; a yearly count the
-- sum from the start of the year; a count per quarter the sum over the period.
CREATE OR REPLACE TEMP MACRO num_part(loai, role, q, a, b) AS
    CASE WHEN role <> 'tu_so' THEN NULL
         WHEN loai = 'ratio' THEN CASE WHEN NOT last_of(q.g1, q.g2, q.g3, q.g4, q.e1, q.e2, q.e3, q.e4, a, b)
                                       THEN last_of(q.v1, q.v2, q.v3, q.v4, q.e1, q.e2, q.e3, q.e4, a, b) END
         WHEN loai = 'share_yes' THEN last_of(q.v1, q.v2, q.v3, q.v4, q.e1, q.e2, q.e3, q.e4, a, b)
         WHEN loai = 'year_sum' THEN sum_of(q.v1, q.v2, q.v3, q.v4, 1, b)
         ELSE sum_of(q.v1, q.v2, q.v3, q.v4, a, b) END;
-- A field's part of the denominator: a ratio's denominator field (as its numerator), 1 for a unit that
-- answered a yes/no.
CREATE OR REPLACE TEMP MACRO den_part(loai, role, q, a, b) AS
    CASE WHEN loai = 'ratio' AND role = 'mau_so'
             THEN CASE WHEN NOT last_of(q.g1, q.g2, q.g3, q.g4, q.e1, q.e2, q.e3, q.e4, a, b)
                       THEN last_of(q.v1, q.v2, q.v3, q.v4, q.e1, q.e2, q.e3, q.e4, a, b) END
         WHEN loai = 'share_yes' AND role = 'tu_so' THEN CASE WHEN any_of(q.e1, q.e2, q.e3, q.e4, a, b) THEN 1.0 END END;
-- An indicator's numerator over quarters a..b from its fields' parts (an aggregate over them): their sum; a
-- yes/no the answer; a count per quarter the sum divided by the quarters reported. Its denominator: the sum.
CREATE OR REPLACE TEMP MACRO num_of(loai, role, q, a, b) AS
    CASE WHEN loai = 'share_yes' THEN max(num_part(loai, role, q, a, b))
         WHEN loai = 'quarter_sum' THEN sum(num_part(loai, role, q, a, b))
             / nullif(max(CASE WHEN role = 'tu_so' THEN count_of(q.e1, q.e2, q.e3, q.e4, a, b) END), 0)
         ELSE sum(num_part(loai, role, q, a, b)) END;
CREATE OR REPLACE TEMP MACRO den_of(loai, role, q, a, b) AS
    CASE WHEN loai = 'share_yes' THEN max(den_part(loai, role, q, a, b)) ELSE sum(den_part(loai, role, q, a, b)) END;

INSERT INTO mart.unit_answers
WITH w AS (
    -- one row per unit × year × field the formulas read: each quarter's value, whether it was reported
    -- and whether its ≤ pair is flagged
    SELECT
        x.unit_code, CAST(x.year AS INTEGER) AS year, x.field, x.agg,
        struct_pack(
            v1 := max(x.value) FILTER (WHERE x.qn = 1), v2 := max(x.value) FILTER (WHERE x.qn = 2),
            v3 := max(x.value) FILTER (WHERE x.qn = 3), v4 := max(x.value) FILTER (WHERE x.qn = 4),
            e1 := bool_or(x.qn = 1), e2 := bool_or(x.qn = 2), e3 := bool_or(x.qn = 3), e4 := bool_or(x.qn = 4),
            g1 := coalesce(bool_or(x.flagged) FILTER (WHERE x.qn = 1), FALSE),
            g2 := coalesce(bool_or(x.flagged) FILTER (WHERE x.qn = 2), FALSE),
            g3 := coalesce(bool_or(x.flagged) FILTER (WHERE x.qn = 3), FALSE),
            g4 := coalesce(bool_or(x.flagged) FILTER (WHERE x.qn = 4), FALSE)
        ) AS q
    FROM mart.quarterly AS x
    SEMI JOIN answer_inputs AS i ON i.field = x.field
    SEMI JOIN answer_todo AS t ON t.unit_code = x.unit_code AND t.year = x.year
    GROUP BY ALL
)
-- an indicator's numerator and denominator for each of the seven periods of the year
SELECT
    w.year, w.unit_code, i.indicator,
    [num_of(i.loai, i.role, w.q, 1, 1), num_of(i.loai, i.role, w.q, 2, 2), num_of(i.loai, i.role, w.q, 3, 3),
     num_of(i.loai, i.role, w.q, 4, 4), num_of(i.loai, i.role, w.q, 1, 2), num_of(i.loai, i.role, w.q, 3, 4),
     num_of(i.loai, i.role, w.q, 1, 4)] AS nums,
    [den_of(i.loai, i.role, w.q, 1, 1), den_of(i.loai, i.role, w.q, 2, 2), den_of(i.loai, i.role, w.q, 3, 3),
     den_of(i.loai, i.role, w.q, 4, 4), den_of(i.loai, i.role, w.q, 1, 2), den_of(i.loai, i.role, w.q, 3, 4),
     den_of(i.loai, i.role, w.q, 1, 4)] AS dens
FROM w
-- a ratio or a share of units reads stocks (a field's value at the end of the period), a count flows (summed):
-- a field of the other kind counts toward nothing, as in queries/progress_unprepared.sql
JOIN answer_inputs AS i
    ON i.field = w.field AND w.agg = CASE WHEN i.loai IN ('ratio', 'share_yes') THEN 'last' ELSE 'sum' END
GROUP BY w.year, w.unit_code, i.indicator, i.loai
-- a page reads one year of one province's units (neighbouring codes): a few row groups
ORDER BY w.year, w.unit_code, i.indicator;

-- grain: one row per unit × ratio or yes/no indicator: the first quarter it reported (yq0 = year × 10 +
-- quarter), what it reported then (num0 / den0: the scope's start is the sum over the units that
-- reported first) and the unit's own start v0 (%).
--
-- Kept key by key: a kept first that lies in a year not computed again is still the first of the years not
-- computed again (they did not change), so the new first is the earlier of it and the first of the years
-- computed again; a unit whose kept first lies in a year computed again (an old year corrected) is computed
-- again over its whole history. A full build (table emptied) computes every unit from its years.

-- grain: one row per unit whose first is computed over its whole history (temp)
CREATE OR REPLACE TEMP TABLE first_whole AS
SELECT DISTINCT f.unit_code
FROM mart.unit_first AS f
JOIN answer_todo AS t ON t.unit_code = f.unit_code AND t.year = f.yq0 // 10;
DELETE FROM mart.unit_first AS f USING first_whole AS w WHERE f.unit_code = w.unit_code;

-- grain: one row per unit × indicator: its first quarter among the years computed again (the whole history
-- of the units above) (temp)
CREATE OR REPLACE TEMP TABLE first_new AS
WITH x AS (
    SELECT q.* FROM mart.quarterly AS q SEMI JOIN answer_todo AS t ON t.unit_code = q.unit_code AND t.year = q.year
    UNION ALL
    SELECT q.* FROM mart.quarterly AS q SEMI JOIN first_whole AS w ON w.unit_code = q.unit_code
        ANTI JOIN answer_todo AS t ON t.unit_code = q.unit_code AND t.year = q.year
),
fq AS (
    SELECT x.unit_code, i.indicator, x.quarter, CAST(x.year * 10 + x.qn AS INTEGER) AS yq,
           sum(x.value) FILTER (WHERE i.role = 'tu_so') AS num, sum(x.value) FILTER (WHERE i.role = 'mau_so') AS den
    FROM x
    JOIN answer_inputs AS i ON i.field = x.field AND i.loai = 'ratio'
    WHERE NOT x.flagged
    GROUP BY ALL
    HAVING count(*) FILTER (WHERE i.role = 'tu_so') > 0 AND sum(x.value) FILTER (WHERE i.role = 'mau_so') > 0
    UNION ALL
    -- a share of units (yes/no): each unit counts 1 in the denominator
    SELECT x.unit_code, i.indicator, x.quarter, CAST(x.year * 10 + x.qn AS INTEGER), x.value, 1.0
    FROM x
    JOIN answer_inputs AS i ON i.field = x.field AND i.loai = 'share_yes' AND i.role = 'tu_so'
),
firsts AS (
    SELECT *, min(yq) OVER (PARTITION BY unit_code, indicator) AS m FROM fq
)
SELECT unit_code, indicator, m AS yq0, any_value(quarter) AS q0, arg_min(100.0 * num / den, yq) AS v0,
       sum(num) AS num0, sum(den) AS den0
FROM firsts
WHERE yq = m
GROUP BY unit_code, indicator, m;

-- the earlier of the kept first and the new one
DELETE FROM mart.unit_first AS f USING first_new AS n
WHERE f.unit_code = n.unit_code AND f.indicator = n.indicator AND n.yq0 < f.yq0;
INSERT INTO mart.unit_first
SELECT n.* FROM first_new AS n
ANTI JOIN mart.unit_first AS f ON f.unit_code = n.unit_code AND f.indicator = n.indicator
ORDER BY n.unit_code;

-- grain: one row per plan × kind of unit × view × quarter with data: the reporting status (CT10) counted, what the
-- on-time trend of Tình hình báo cáo draws (queries/report_counts.sql), so that the page reads one row per
-- quarter rather than every unit's row of every quarter of history. A view is every unit (province 0) or one
-- province as the province filter names it: its xã/phường, and the units whose xã/phường it is (queries/reporting.sql
-- counts a unit named or whose parent is named). Counted as queries/reporting.sql counts (tests/test_answers.py:
-- equal); computed again for the quarters this build touched (every quarter in a full build).
CREATE TABLE IF NOT EXISTS mart.report_counts (
    plan VARCHAR, level VARCHAR, province BIGINT, quarter VARCHAR, deadline DATE, from_plan BOOLEAN,
    expected BIGINT, reported BIGINT, on_time BIGINT, time_unknown BIGINT, late BIGINT
);

-- grain: one row per quarter this build computed again (temp)
CREATE OR REPLACE TEMP TABLE count_quarters AS
SELECT quarter FROM touched_quarters UNION SELECT quarter FROM touched_counts_in;
DELETE FROM mart.report_counts AS c USING count_quarters AS q WHERE c.quarter = q.quarter;

INSERT INTO mart.report_counts
WITH reports AS (
    -- the touched quarters' reports, per unit (when it first reported: the day and whether that time is known)
    SELECT s.unit_code, s.quarter, CAST(s.first_at AS DATE) AS day, s.first_known
    FROM mart.unit_quarter_reports AS s
    SEMI JOIN count_quarters AS q ON q.quarter = s.quarter
),
due AS (
    -- each plan's deadline for each quarter that still has a report (as queries/reporting.sql: the plan's date, else
    -- day `default_deadline_day` of the month after the quarter); a quarter whose reports all went is not written again
    SELECT
        pl.plan, q.quarter,
        coalesce(
            (SELECT TRY_CAST(d.deadline AS DATE) FROM ref.deadlines AS d WHERE d.plan = pl.plan AND d.period = q.quarter),
            (SELECT CAST(p.last_day AS DATE) + CAST((SELECT default_deadline_day FROM ref.settings) AS INTEGER)
             FROM ref.periods AS p WHERE p.period = q.quarter)
        ) AS deadline,
        EXISTS (SELECT 1 FROM ref.deadlines AS d WHERE d.plan = pl.plan AND d.period = q.quarter) AS from_plan
    FROM ref.plans AS pl
    CROSS JOIN (SELECT DISTINCT quarter FROM reports) AS q
),
roster AS (
    SELECT u.code, u.level, u.province, u.parent_code
    FROM ref.units AS u
    WHERE u.code NOT IN (SELECT ma_don_vi FROM ref.roster WHERE NOT phai_bao_cao)
),
views AS (
    SELECT code, level, 0 AS province FROM roster
    UNION
    SELECT code, level, province FROM roster WHERE level = 'xa'
    UNION
    SELECT r.code, r.level, p.province FROM roster AS r JOIN ref.units AS p ON p.code = r.parent_code WHERE p.level = 'xa'
),
-- the units each view expects, and those that reported, by day and whether the time is known (few groups: the
-- deadline of each plan is compared with each day once, not with each unit)
sizes AS (
    SELECT level, province, count(*) AS expected FROM views GROUP BY ALL
),
days AS (
    SELECT v.level, v.province, r.quarter, r.day, r.first_known, count(*) AS n
    FROM reports AS r JOIN views AS v ON v.code = r.unit_code
    GROUP BY ALL
),
status AS (
    SELECT
        d.plan, x.level, x.province, x.quarter, x.n,
        x.day IS NOT NULL AS reported,
        x.day IS NOT NULL AND x.day <= d.deadline AS on_time,
        coalesce(x.day IS NOT NULL AND NOT x.first_known AND x.day > d.deadline, FALSE) AS time_unknown
    FROM due AS d JOIN days AS x ON x.quarter = d.quarter
)
SELECT
    d.plan, s.level, s.province, d.quarter, d.deadline, d.from_plan, s.expected,
    CAST(coalesce(sum(t.n) FILTER (WHERE t.reported), 0) AS BIGINT),
    CAST(coalesce(sum(t.n) FILTER (WHERE t.on_time), 0) AS BIGINT),
    CAST(coalesce(sum(t.n) FILTER (WHERE t.time_unknown), 0) AS BIGINT),
    CAST(coalesce(sum(t.n) FILTER (WHERE t.reported AND NOT t.on_time AND NOT t.time_unknown), 0) AS BIGINT)
FROM due AS d
CROSS JOIN sizes AS s
LEFT JOIN status AS t ON t.plan = d.plan AND t.level = s.level AND t.province = s.province AND t.quarter = d.quarter
GROUP BY ALL
ORDER BY d.plan, s.level, s.province, d.quarter;
