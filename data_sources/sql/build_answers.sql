-- Answers prepared at publish: what the pages ask for, per unit, computed once per published version
-- so that a page's rerun is a lookup plus a small sum over the units it shows (queries/progress.sql,
-- queries/reporting.sql). Run after build_marts.sql, in the same publish. No parameters.
--
--  * mart.unit_answers: per unit × year with data × indicator, for each of the year's quarters, its
--    halves and the year itself (the slots 1–7 of two lists), the indicator's numerator and denominator as chi-tieu.md defines them: a ratio is the
--    sum of its numerator fields over the sum of its denominator fields, stocks at the end of the
--    period, a flagged ≤ pair counts toward nothing; a share of units answering yes: the answer and 1;
--    a yearly count: year to date; a count per quarter: the period's sum over the quarters reported.
--    Nothing here depends on a plan or on who looks: targets and judging are read with the plan.
--  * mart.unit_first: per unit × ratio indicator, its first reported quarter (the start of the pace line).
--  * mart.unit_quarter_reports (build_marts.sql): per unit × quarter, when it first reported.
--
-- Years of history: a year's answers are computed again only when its quarterly values (or the
-- catalog's formulas) changed since they were computed: mart.answer_years keeps each year's signature.
-- An import of one quarter costs that year, not every year kept (tests/test_answers.py: the result
-- equals a full rebuild, cell for cell).

CREATE TABLE IF NOT EXISTS mart.answer_years (year INTEGER, sig UBIGINT);
-- the seven periods of a year are slots of a list: 1–4 its quarters, 5 and 6 its halves, 7 the year
CREATE TABLE IF NOT EXISTS mart.unit_answers (
    year INTEGER, unit_code VARCHAR, indicator VARCHAR, nums DOUBLE[], dens DOUBLE[]
);

-- grain: one row per indicator input the answers use (the catalog's formulas) (temp)
CREATE OR REPLACE TEMP TABLE answer_inputs AS
SELECT x.indicator, x.role, x.field, i.loai
FROM ref.indicator_inputs AS x
JOIN ref.indicators AS i ON i.code = x.indicator
WHERE i.loai IN ('ratio', 'share_yes', 'year_sum', 'quarter_sum');

-- grain: one row per year with quarterly values: the signature of its values and of the formulas (temp)
CREATE OR REPLACE TEMP TABLE answer_sigs AS
SELECT
    CAST(q.year AS INTEGER) AS year,
    xor(
        bit_xor(hash(q.unit_code, q.qn, q.field, q.agg, q.value, q.flagged)),
        (SELECT coalesce(bit_xor(hash(indicator, role, field, loai)), 0) FROM answer_inputs)
    ) AS sig
FROM mart.quarterly AS q
WHERE q.year IS NOT NULL
GROUP BY 1;

-- grain: one row per year whose answers must be computed (again): new, changed or gone (temp)
CREATE OR REPLACE TEMP TABLE answer_todo AS
SELECT s.year FROM answer_sigs AS s LEFT JOIN mart.answer_years AS a USING (year) WHERE a.sig IS DISTINCT FROM s.sig
UNION
SELECT a.year FROM mart.answer_years AS a ANTI JOIN answer_sigs AS s USING (year);

DELETE FROM mart.unit_answers WHERE year IN (SELECT year FROM answer_todo);

-- The quarter reported last among quarters a..b (e: per quarter TRUE when reported, else NULL).
CREATE OR REPLACE TEMP MACRO last_q(e, a, b) AS
    CASE WHEN a <= 4 AND b >= 4 AND e[4] THEN 4 WHEN a <= 3 AND b >= 3 AND e[3] THEN 3
         WHEN a <= 2 AND b >= 2 AND e[2] THEN 2 WHEN a <= 1 AND e[1] THEN 1 END;
-- A field's part of an indicator's numerator over quarters a..b (v, e, g: per quarter its value, reported,
-- flagged): a ratio takes the numerator field's last value of the period unless its ≤ pair is flagged; a
-- share of units the last answer; a yearly count the sum from the start of the year; a count per
-- quarter the sum over the period.
CREATE OR REPLACE TEMP MACRO num_part(loai, role, v, e, g, a, b) AS
    CASE WHEN role <> 'tu_so' THEN NULL
         WHEN loai = 'ratio' THEN CASE WHEN NOT g[last_q(e, a, b)] THEN v[last_q(e, a, b)] END
         WHEN loai = 'share_yes' THEN v[last_q(e, a, b)]
         WHEN loai = 'year_sum' THEN list_sum(v[1:b])
         ELSE list_sum(v[a:b]) END;
-- A field's part of the denominator: a ratio's denominator field (as its numerator), 1 for a unit that
-- answered a yes/no.
CREATE OR REPLACE TEMP MACRO den_part(loai, role, v, e, g, a, b) AS
    CASE WHEN loai = 'ratio' AND role = 'mau_so' THEN CASE WHEN NOT g[last_q(e, a, b)] THEN v[last_q(e, a, b)] END
         WHEN loai = 'share_yes' AND role = 'tu_so' THEN CASE WHEN last_q(e, a, b) IS NOT NULL THEN 1.0 END END;
INSERT INTO mart.unit_answers
WITH w AS (
    -- one row per unit × year × field the formulas read: each quarter's value, whether it was
    -- reported and whether its ≤ pair is flagged
    SELECT
        x.unit_code, CAST(x.year AS INTEGER) AS year, x.field,
        [max(x.value) FILTER (WHERE x.qn = 1), max(x.value) FILTER (WHERE x.qn = 2),
         max(x.value) FILTER (WHERE x.qn = 3), max(x.value) FILTER (WHERE x.qn = 4)] AS v,
        [CASE WHEN bool_or(x.qn = 1) THEN TRUE END, CASE WHEN bool_or(x.qn = 2) THEN TRUE END,
         CASE WHEN bool_or(x.qn = 3) THEN TRUE END, CASE WHEN bool_or(x.qn = 4) THEN TRUE END] AS e,
        [coalesce(bool_or(x.flagged) FILTER (WHERE x.qn = 1), FALSE), coalesce(bool_or(x.flagged) FILTER (WHERE x.qn = 2), FALSE),
         coalesce(bool_or(x.flagged) FILTER (WHERE x.qn = 3), FALSE), coalesce(bool_or(x.flagged) FILTER (WHERE x.qn = 4), FALSE)] AS g
    FROM mart.quarterly AS x
    SEMI JOIN answer_inputs AS i ON i.field = x.field
    WHERE x.year IN (SELECT year FROM answer_todo)
    GROUP BY ALL
),
-- each field's parts for the seven periods of the year (slots 1–4 its quarters, 5–6 its halves, 7 the year)
parts AS (
    SELECT
        w.year, w.unit_code, i.indicator, i.loai,
        [num_part(i.loai, i.role, w.v, w.e, w.g, 1, 1), num_part(i.loai, i.role, w.v, w.e, w.g, 2, 2),
         num_part(i.loai, i.role, w.v, w.e, w.g, 3, 3), num_part(i.loai, i.role, w.v, w.e, w.g, 4, 4),
         num_part(i.loai, i.role, w.v, w.e, w.g, 1, 2), num_part(i.loai, i.role, w.v, w.e, w.g, 3, 4),
         num_part(i.loai, i.role, w.v, w.e, w.g, 1, 4)] AS np,
        [den_part(i.loai, i.role, w.v, w.e, w.g, 1, 1), den_part(i.loai, i.role, w.v, w.e, w.g, 2, 2),
         den_part(i.loai, i.role, w.v, w.e, w.g, 3, 3), den_part(i.loai, i.role, w.v, w.e, w.g, 4, 4),
         den_part(i.loai, i.role, w.v, w.e, w.g, 1, 2), den_part(i.loai, i.role, w.v, w.e, w.g, 3, 4),
         den_part(i.loai, i.role, w.v, w.e, w.g, 1, 4)] AS dp,
        -- quarters reported in each period (a count per quarter is divided by it)
        CASE WHEN i.role = 'tu_so' THEN [list_count(w.e[1:1]), list_count(w.e[2:2]), list_count(w.e[3:3]),
             list_count(w.e[4:4]), list_count(w.e[1:2]), list_count(w.e[3:4]), list_count(w.e)] END AS qc
    FROM w
    JOIN answer_inputs AS i ON i.field = w.field
)
-- an indicator's numerator per period: the sum of its fields' parts (a yes/no: the answer; a count
-- per quarter: the sum divided by the quarters reported); its denominator the sum of theirs
SELECT
    year, unit_code, indicator,
    CASE loai
        WHEN 'share_yes' THEN [max(np[1]), max(np[2]), max(np[3]), max(np[4]), max(np[5]), max(np[6]), max(np[7])]
        WHEN 'quarter_sum' THEN [
            sum(np[1]) / nullif(max(qc[1]), 0), sum(np[2]) / nullif(max(qc[2]), 0),
            sum(np[3]) / nullif(max(qc[3]), 0), sum(np[4]) / nullif(max(qc[4]), 0),
            sum(np[5]) / nullif(max(qc[5]), 0), sum(np[6]) / nullif(max(qc[6]), 0),
            sum(np[7]) / nullif(max(qc[7]), 0)]
        ELSE [sum(np[1]), sum(np[2]), sum(np[3]), sum(np[4]), sum(np[5]), sum(np[6]), sum(np[7])] END AS nums,
    CASE loai
        WHEN 'share_yes' THEN [max(dp[1]), max(dp[2]), max(dp[3]), max(dp[4]), max(dp[5]), max(dp[6]), max(dp[7])]
        ELSE [sum(dp[1]), sum(dp[2]), sum(dp[3]), sum(dp[4]), sum(dp[5]), sum(dp[6]), sum(dp[7])] END AS dens
FROM parts
GROUP BY year, unit_code, indicator, loai
-- a page reads one year of one province's units (neighbouring codes): a few row groups
ORDER BY year, unit_code, indicator;

DELETE FROM mart.answer_years;
INSERT INTO mart.answer_years SELECT year, sig FROM answer_sigs;

-- grain: one row per unit × ratio or yes/no indicator: the first quarter it reported (yq0 = year × 10 +
-- quarter), what it reported then (num0 / den0: the scope's start is the sum over the units that
-- reported first) and the unit's own start v0 (%). Small: it is rebuilt whole.
CREATE OR REPLACE TABLE mart.unit_first AS
WITH fq AS (
    SELECT x.unit_code, i.indicator, x.quarter, CAST(x.year * 10 + x.qn AS INTEGER) AS yq,
           sum(x.value) FILTER (WHERE i.role = 'tu_so') AS num, sum(x.value) FILTER (WHERE i.role = 'mau_so') AS den
    FROM mart.quarterly AS x
    JOIN answer_inputs AS i ON i.field = x.field AND i.loai = 'ratio'
    WHERE NOT x.flagged
    GROUP BY ALL
    HAVING count(*) FILTER (WHERE i.role = 'tu_so') > 0 AND sum(x.value) FILTER (WHERE i.role = 'mau_so') > 0
    UNION ALL
    -- a share of units (yes/no): each unit counts 1 in the denominator
    SELECT x.unit_code, i.indicator, x.quarter, CAST(x.year * 10 + x.qn AS INTEGER), x.value, 1.0
    FROM mart.quarterly AS x
    JOIN answer_inputs AS i ON i.field = x.field AND i.loai = 'share_yes' AND i.role = 'tu_so'
),
firsts AS (
    SELECT *, min(yq) OVER (PARTITION BY unit_code, indicator) AS m FROM fq
)
SELECT unit_code, indicator, m AS yq0, any_value(quarter) AS q0, arg_min(100.0 * num / den, yq) AS v0,
       sum(num) AS num0, sum(den) AS den0
FROM firsts
WHERE yq = m
GROUP BY unit_code, indicator, m
ORDER BY unit_code;
