-- Progress per unit × target of a plan, and the whole scope ("Toàn bộ"), computed from the quarterly
-- values: for a database published before answers were prepared at publish (no mart.unit_answers; the
-- product reads queries/progress.sql otherwise), and the independent reference of tests/test_answers.py.
-- Grain: one row per period asked for × unit (plus one row unit_code = '*' for the scope) × target.
-- Parameters:
--   $plan    plan id (ref.plans)
--   $periods list of STRUCT(period, year, q_from, q_to, as_of), one per period asked for, all answered
--            in one run (the overview reads a year's quarters at once):
--              period  the period's code, repeated in the result's first column
--              year    its year; q_from..q_to its quarters (a quarter: q_from = q_to; 6 tháng đầu năm: 1..2;
--                      year: 1..4); as_of the DATE it is judged at (its last day)
--   $level   a kind of unit (ref.units.level): 'xa' (xã/phường), 'truong' (cơ sở giáo dục) or a kind of the
--            unit registry such as 'chi_bo' (plan 004): never mixed, so nothing is counted twice
--   $scope   list of unit codes the viewer may see, or NULL for every unit
--   $units   list of chosen unit codes (a xã/phường also brings its schools) or NULL for all
-- Columns: period, unit_code, unit_name, indicator, indicator_name, kind, measure, value, num, den,
--   target, deadline, pace_line, scope, note, seed, status (a code of ref.statuses),
--   status_label, status_order.
-- Formulas come from the catalog: ref.indicator_inputs lists each indicator's
-- numerator (tu_so) and denominator (mau_so) fields; each role is a sum of its fields.
-- Rules (chi-tieu.md): ratios are ratios of sums; a flagged ≤ pair counts
-- toward nothing; "Chưa có số liệu" is never 0; pace: a yearly count is on
-- track when the year-to-date value ≥ q/4 of the target; a ratio with a
-- deadline is on track at or above the straight line from its first reported
-- value to the target at the deadline.
WITH sel AS (
    SELECT unnest($periods, recursive := true)
),
scope AS (
    SELECT code AS unit_code, name AS unit_name, parent_code
    FROM ref.units
    WHERE level = $level
      AND ($scope IS NULL OR list_contains($scope, code))
      AND ($units IS NULL OR list_contains($units, code) OR list_contains($units, parent_code))
),
-- the scope's quarters of every year, read once (a province is a few thousand of 2,4 million rows)
qs AS MATERIALIZED (
    SELECT x.* FROM mart.quarterly AS x JOIN scope USING (unit_code)
),
-- the quarters of each period asked for (a quarter may serve several periods)
q AS (
    SELECT s.period, x.unit_code, x.field, x.agg, x.qn, x.value, x.flagged,
           x.qn BETWEEN s.q_from AND s.q_to AS in_period
    FROM qs AS x JOIN sel AS s ON x.year = s.year AND x.qn <= s.q_to
),
last_v AS (
    SELECT period, unit_code, field, arg_max(value, qn) AS value, arg_max(flagged, qn) AS flagged
    FROM q WHERE agg = 'last' AND in_period GROUP BY ALL
),
sum_v AS (
    SELECT period, unit_code, field, sum(value) AS value, count(DISTINCT qn) AS quarters
    FROM q WHERE agg = 'sum' AND in_period GROUP BY ALL
),
ytd_v AS (
    SELECT period, unit_code, field, sum(value) AS value FROM q WHERE agg = 'sum' GROUP BY ALL
),
tg AS (
    SELECT t.indicator, i.ten, i.loai, i.don_vi, t.scope, t.note, t.seed,
           TRY_CAST(nullif(t.target, '') AS DOUBLE) AS target,
           TRY_CAST(nullif(t.deadline, '') AS DATE) AS deadline
    FROM ref.targets AS t JOIN ref.indicators AS i ON i.code = t.indicator
    WHERE t.plan = $plan AND i.loai <> 'reporting'
),
inputs AS (
    SELECT x.indicator, x.role, x.field, tg.loai FROM ref.indicator_inputs AS x JOIN tg USING (indicator)
),
-- per unit numerator / denominator of each kind of indicator
parts AS (
    -- a ratio: Σ numerator fields / Σ denominator fields, stocks at the end of the period; a flagged pair counts toward nothing
    SELECT l.period, l.unit_code, i.indicator,
           sum(l.value) FILTER (WHERE i.role = 'tu_so') AS num, sum(l.value) FILTER (WHERE i.role = 'mau_so') AS den
    FROM inputs AS i JOIN last_v AS l ON l.field = i.field AND NOT l.flagged
    WHERE i.loai = 'ratio' GROUP BY ALL
    UNION ALL
    -- a share of units answering yes: the unit counts 1 in the denominator once it answered
    SELECT l.period, l.unit_code, i.indicator, max(l.value), 1
    FROM inputs AS i JOIN last_v AS l ON l.field = i.field
    WHERE i.loai = 'share_yes' AND i.role = 'tu_so' GROUP BY ALL
    UNION ALL
    -- a yearly count: year to date
    SELECT y.period, y.unit_code, i.indicator, sum(y.value), NULL
    FROM inputs AS i JOIN ytd_v AS y ON y.field = i.field
    WHERE i.loai = 'year_sum' AND i.role = 'tu_so' GROUP BY ALL
    UNION ALL
    -- a count per quarter: the period's sum over the quarters reported
    SELECT v.period, v.unit_code, i.indicator, sum(v.value) / nullif(max(v.quarters), 0), NULL
    FROM inputs AS i JOIN sum_v AS v ON v.field = i.field
    WHERE i.loai = 'quarter_sum' AND i.role = 'tu_so' GROUP BY ALL
),
unit_vals AS (
    SELECT sel.period, s.unit_code, tg.indicator, p.num, p.den
    FROM sel CROSS JOIN scope AS s CROSS JOIN tg
    LEFT JOIN parts AS p ON p.period = sel.period AND p.unit_code = s.unit_code AND p.indicator = tg.indicator
),
-- first reported ratio (or share of units) per unit and for the scope: the start of the pace line
first_q AS (
    SELECT s.period, x.unit_code, i.indicator, x.quarter, x.qn, x.year,
           sum(x.value) FILTER (WHERE i.role = 'tu_so') AS num, sum(x.value) FILTER (WHERE i.role = 'mau_so') AS den
    FROM qs AS x
    JOIN sel AS s ON x.year < s.year OR (x.year = s.year AND x.qn <= s.q_to)
    JOIN inputs AS i ON i.field = x.field AND i.loai = 'ratio'
    WHERE NOT x.flagged
    GROUP BY ALL
    HAVING count(*) FILTER (WHERE i.role = 'tu_so') > 0 AND sum(x.value) FILTER (WHERE i.role = 'mau_so') > 0
    UNION ALL
    -- a share of units (yes/no): each unit counts 1 in the denominator
    SELECT s.period, x.unit_code, i.indicator, x.quarter, x.qn, x.year, x.value AS num, 1.0 AS den
    FROM qs AS x
    JOIN sel AS s ON x.year < s.year OR (x.year = s.year AND x.qn <= s.q_to)
    JOIN inputs AS i ON i.field = x.field AND i.loai = 'share_yes' AND i.role = 'tu_so'
),
first_unit AS (
    SELECT period, unit_code, indicator, arg_min(100.0 * num / den, year * 10 + qn) AS v0,
           arg_min(quarter, year * 10 + qn) AS q0
    FROM first_q GROUP BY ALL
),
first_all AS (
    SELECT period, indicator, quarter AS q0, 100.0 * sum(num) / sum(den) AS v0
    FROM (SELECT *, min(year * 10 + qn) OVER (PARTITION BY period, indicator) AS m FROM first_q)
    WHERE year * 10 + qn = m GROUP BY ALL
),
per_unit AS (
    SELECT u.period, u.unit_code, s.unit_name, u.indicator,
        CASE WHEN tg.loai IN ('ratio', 'share_yes') THEN 100.0 * u.num / nullif(u.den, 0) ELSE u.num END AS value,
        u.num, u.den, fu.v0, fu.q0
    FROM unit_vals AS u
    JOIN scope AS s USING (unit_code)
    JOIN tg USING (indicator)
    LEFT JOIN first_unit AS fu USING (period, unit_code, indicator)
),
per_all AS (
    SELECT p.period, '*' AS unit_code, 'Toàn bộ' AS unit_name, p.indicator,
        CASE
            WHEN tg.loai IN ('ratio', 'share_yes') THEN 100.0 * sum(p.num) FILTER (WHERE p.den IS NOT NULL) / nullif(sum(p.den), 0)
            WHEN tg.loai = 'year_sum' AND tg.scope = 'all' THEN sum(p.num)
            -- "each unit" counts: the share of units meeting the target
            ELSE 100.0 * count(*) FILTER (WHERE p.num >= tg.target) / nullif(count(p.num), 0)
        END AS value,
        sum(p.num) AS num, sum(p.den) AS den, any_value(fa.v0) AS v0, any_value(fa.q0) AS q0
    FROM per_unit AS p
    JOIN tg USING (indicator)
    LEFT JOIN first_all AS fa USING (period, indicator)
    GROUP BY p.period, p.indicator, tg.loai, tg.scope, tg.target
),
judged AS (
    SELECT x.*, sel.q_to, sel.as_of, tg.ten, tg.loai, tg.don_vi, tg.scope, tg.note, tg.seed, tg.deadline,
        CASE WHEN x.unit_code = '*' AND tg.loai IN ('quarter_sum') OR (x.unit_code = '*' AND tg.loai = 'year_sum' AND tg.scope <> 'all')
             THEN 100.0 ELSE tg.target END AS target,
        -- the pace line at the period's as_of, for ratios with a deadline
        -- (the line starts at the last day of the first reported quarter: ref.periods)
        CASE WHEN tg.loai IN ('ratio', 'share_yes') AND tg.deadline IS NOT NULL AND x.q0 IS NOT NULL THEN
            x.v0 + (tg.target - x.v0) * greatest(0, date_diff('day', p0.last_day, sel.as_of))
                / greatest(1, date_diff('day', p0.last_day, tg.deadline))
        END AS pace_line
    FROM (SELECT * FROM per_unit UNION ALL BY NAME SELECT * FROM per_all) AS x
    JOIN sel USING (period)
    JOIN tg USING (indicator)
    LEFT JOIN ref.periods AS p0 ON p0.period = x.q0
)
SELECT
    j.period, j.unit_code, j.unit_name, j.indicator,
    -- for "each unit" counts the scope row is the share of units meeting the target
    CASE WHEN j.unit_code = '*' AND (j.loai = 'quarter_sum' OR (j.loai = 'year_sum' AND j.scope <> 'all'))
         THEN j.ten || ' (tỷ lệ đơn vị đạt)' ELSE j.ten END AS indicator_name,
    j.loai AS kind,
    CASE WHEN j.unit_code = '*' AND (j.loai = 'quarter_sum' OR (j.loai = 'year_sum' AND j.scope <> 'all'))
         THEN '%' ELSE j.don_vi END AS measure,
    j.value, j.num, j.den, j.target, j.deadline, j.pace_line, j.scope, j.note, j.seed,
    j.status, s.label AS status_label, s.ord AS status_order
FROM (
    SELECT *,
        CASE
            WHEN value IS NULL THEN 'chua_co_so_lieu'
            WHEN target IS NULL THEN 'theo_doi'
            WHEN value >= target - 1e-9 THEN 'dat'
            WHEN deadline IS NOT NULL AND as_of < deadline AND loai = 'year_sum' AND unit_code <> '*' OR
                 (deadline IS NOT NULL AND as_of < deadline AND loai = 'year_sum' AND scope = 'all')
                THEN CASE WHEN value >= target * q_to / 4.0 - 1e-9 THEN 'dung_tien_do' ELSE 'cham' END
            WHEN deadline IS NOT NULL AND as_of < deadline AND pace_line IS NOT NULL
                THEN CASE WHEN value >= pace_line - 1e-9 THEN 'dung_tien_do' ELSE 'cham' END
            ELSE 'cham'
        END AS status
    FROM judged
) AS j
JOIN ref.statuses AS s ON s.code = j.status
ORDER BY j.period, j.unit_code = '*' DESC, j.indicator, j.unit_code
