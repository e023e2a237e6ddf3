-- Progress per unit × target of a plan, and the whole scope ("Toàn bộ"), read from the answers prepared
-- at publish (data_sources/sql/build_answers.sql: mart.unit_answers, mart.unit_first): a lookup of the
-- units shown, judged against the plan's targets, plus the sum over them for the scope's row. The same
-- result as computing it from the quarterly values (queries/progress_unprepared.sql; tests/test_answers.py).
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
tg AS (
    SELECT t.indicator, i.ten, i.loai, i.don_vi, t.scope, t.note, t.seed,
           TRY_CAST(nullif(t.target, '') AS DOUBLE) AS target,
           TRY_CAST(nullif(t.deadline, '') AS DATE) AS deadline
    FROM ref.targets AS t JOIN ref.indicators AS i ON i.code = t.indicator
    WHERE t.plan = $plan AND i.loai <> 'reporting'
),
-- each unit's numerator and denominator of each target for each period asked for (prepared at publish:
-- a year's quarters are its slots 1–4, its halves 5 and 6, the year 7)
unit_vals AS (
    SELECT sel.period, s.unit_code, tg.indicator, a.nums[sel.slot] AS num, a.dens[sel.slot] AS den
    FROM (
        SELECT *, CASE WHEN q_from = q_to THEN q_from WHEN q_from = 1 AND q_to = 2 THEN 5
                       WHEN q_from = 3 AND q_to = 4 THEN 6 ELSE 7 END AS slot
        FROM sel
    ) AS sel
    CROSS JOIN scope AS s CROSS JOIN tg
    LEFT JOIN (
        SELECT * FROM mart.unit_answers
        WHERE year IN (SELECT year FROM sel) AND unit_code IN (SELECT unit_code FROM scope)
    ) AS a ON a.year = sel.year AND a.unit_code = s.unit_code AND a.indicator = tg.indicator
),
-- the first reported ratio (or share of units) of each unit, when it is not after the period asked for:
-- the start of the pace line
firsts AS (
    SELECT sel.period, f.unit_code, f.indicator, f.yq0, f.q0, f.v0, f.num0, f.den0
    FROM mart.unit_first AS f
    JOIN scope AS s USING (unit_code)
    JOIN tg USING (indicator)
    JOIN sel ON f.yq0 <= sel.year * 10 + sel.q_to
),
first_unit AS (
    SELECT period, unit_code, indicator, v0, q0 FROM firsts
),
-- the scope's start: the sum over the units whose first report is the earliest
first_all AS (
    SELECT period, indicator, q0, 100.0 * sum(num0) / sum(den0) AS v0
    FROM (SELECT *, min(yq0) OVER (PARTITION BY period, indicator) AS m FROM firsts)
    WHERE yq0 = m GROUP BY ALL
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
