-- Progress per unit × target of a plan, and the whole scope ("Toàn bộ").
-- Grain: one row per unit (plus one row unit_code = '*' for the scope) × target.
-- Parameters:
--   $plan    plan id (ref.plans)
--   $year    year of the selected period
--   $q_from  first quarter number in the period (1..4)
--   $q_to    last quarter number (a quarter: q_from = q_to; 6 tháng đầu năm: 1..2; year: 1..4)
--   $level   'xa' (xã/phường) or 'truong' (cơ sở giáo dục): never mixed, so nothing is counted twice
--   $units   list of unit codes (a xã/phường also brings its schools) or NULL for all
--   $as_of   DATE the period is judged at (its last day)
-- Rules (chi-tieu.md): ratios are ratios of sums; a flagged ≤ pair counts
-- toward nothing; "Chưa có số liệu" is never 0; pace: a yearly count is on
-- track when the year-to-date value ≥ q/4 of the target; a ratio with a
-- deadline is on track at or above the straight line from its first reported
-- value to the target at the deadline.
WITH scope AS (
    SELECT code AS unit_code, name AS unit_name, parent_code
    FROM ref.units
    WHERE level = $level
      AND ($units IS NULL OR list_contains($units, code) OR list_contains($units, parent_code))
),
-- the scope's quarters of every year, read once (a province is a few thousand of 2,4 million rows)
qs AS MATERIALIZED (
    SELECT x.* FROM mart.quarterly AS x JOIN scope USING (unit_code)
),
q AS (
    SELECT * FROM qs WHERE year = $year
),
last_v AS (
    SELECT unit_code, field, arg_max(value, qn) AS value, arg_max(flagged, qn) AS flagged
    FROM q WHERE agg = 'last' AND qn BETWEEN $q_from AND $q_to GROUP BY ALL
),
sum_v AS (
    SELECT unit_code, field, sum(value) AS value, count(DISTINCT qn) AS quarters
    FROM q WHERE agg = 'sum' AND qn BETWEEN $q_from AND $q_to GROUP BY ALL
),
ytd_v AS (
    SELECT unit_code, field, sum(value) AS value FROM q WHERE agg = 'sum' AND qn <= $q_to GROUP BY ALL
),
tg AS (
    SELECT t.indicator, i.ten, i.loai, i.tu_so, i.mau_so, i.don_vi, t.scope, t.note, t.seed,
           TRY_CAST(nullif(t.target, '') AS DOUBLE) AS target,
           TRY_CAST(nullif(t.deadline, '') AS DATE) AS deadline
    FROM ref.targets AS t JOIN ref.indicators AS i ON i.code = t.indicator
    WHERE t.plan = $plan AND i.loai <> 'reporting'
),
-- per unit numerator / denominator (ratio), or value
unit_vals AS (
    SELECT s.unit_code, tg.indicator,
        CASE tg.loai
            WHEN 'ratio' THEN n.value
            WHEN 'share_yes' THEN y.value
            WHEN 'year_sum' THEN ys.value
            WHEN 'quarter_sum' THEN qs.value / nullif(qs.quarters, 0)
        END AS num,
        CASE tg.loai WHEN 'ratio' THEN d.value WHEN 'share_yes' THEN CASE WHEN y.value IS NOT NULL THEN 1 END END AS den
    FROM scope AS s
    CROSS JOIN tg
    LEFT JOIN last_v AS n ON tg.loai = 'ratio' AND n.unit_code = s.unit_code AND n.field = tg.tu_so AND NOT n.flagged
    LEFT JOIN last_v AS d ON tg.loai = 'ratio' AND d.unit_code = s.unit_code AND d.field = tg.mau_so AND NOT d.flagged
    LEFT JOIN last_v AS y ON tg.loai = 'share_yes' AND y.unit_code = s.unit_code AND y.field = tg.tu_so
    LEFT JOIN ytd_v AS ys ON tg.loai = 'year_sum' AND ys.unit_code = s.unit_code AND ys.field = tg.tu_so
    LEFT JOIN (
        SELECT unit_code, sum(value) AS value, max(quarters) AS quarters FROM sum_v
        WHERE field IN ('tin_bai_web', 'bai_mxh', 'video_infographic') GROUP BY unit_code
    ) AS qs ON tg.loai = 'quarter_sum' AND qs.unit_code = s.unit_code
),
-- first reported ratio (or share of units) per unit and for the scope: the start of the pace line
first_q AS (
    SELECT x.unit_code, tg.indicator, x.qn, x.year, n.value AS num, x.value AS den
    FROM qs AS x
    JOIN tg ON tg.loai = 'ratio' AND x.field = tg.mau_so
    JOIN qs AS n ON n.unit_code = x.unit_code AND n.quarter = x.quarter AND n.field = tg.tu_so
    WHERE NOT x.flagged AND NOT n.flagged AND x.value > 0
      AND (x.year < $year OR (x.year = $year AND x.qn <= $q_to))
    UNION ALL
    -- a share of units (yes/no): each unit counts 1 in the denominator
    SELECT x.unit_code, tg.indicator, x.qn, x.year, x.value AS num, 1.0 AS den
    FROM qs AS x
    JOIN tg ON tg.loai = 'share_yes' AND x.field = tg.tu_so
    WHERE x.year < $year OR (x.year = $year AND x.qn <= $q_to)
),
first_unit AS (
    SELECT unit_code, indicator, arg_min(100.0 * num / den, year * 10 + qn) AS v0,
           min(year * 10 + qn) AS yq
    FROM first_q GROUP BY ALL
),
first_all AS (
    SELECT indicator, yq, 100.0 * sum(num) / sum(den) AS v0
    FROM (SELECT *, year * 10 + qn AS yq, min(year * 10 + qn) OVER (PARTITION BY indicator) AS m FROM first_q)
    WHERE yq = m GROUP BY ALL
),
per_unit AS (
    SELECT u.unit_code, s.unit_name, u.indicator,
        CASE WHEN tg.loai IN ('ratio', 'share_yes') THEN 100.0 * u.num / nullif(u.den, 0) ELSE u.num END AS value,
        u.num, u.den, fu.v0, fu.yq
    FROM unit_vals AS u
    JOIN scope AS s USING (unit_code)
    JOIN tg USING (indicator)
    LEFT JOIN first_unit AS fu USING (unit_code, indicator)
),
per_all AS (
    SELECT '*' AS unit_code, 'Toàn bộ' AS unit_name, p.indicator,
        CASE
            WHEN tg.loai IN ('ratio', 'share_yes') THEN 100.0 * sum(p.num) FILTER (WHERE p.den IS NOT NULL) / nullif(sum(p.den), 0)
            WHEN tg.loai = 'year_sum' AND tg.scope = 'all' THEN sum(p.num)
            -- "each unit" counts: the share of units meeting the target
            ELSE 100.0 * count(*) FILTER (WHERE p.num >= tg.target) / nullif(count(p.num), 0)
        END AS value,
        sum(p.num) AS num, sum(p.den) AS den, any_value(fa.v0) AS v0, any_value(fa.yq) AS yq
    FROM per_unit AS p
    JOIN tg USING (indicator)
    LEFT JOIN first_all AS fa USING (indicator)
    GROUP BY p.indicator, tg.loai, tg.scope, tg.target
),
judged AS (
    SELECT x.*, tg.ten, tg.loai, tg.don_vi, tg.scope, tg.note, tg.seed, tg.deadline,
        CASE WHEN x.unit_code = '*' AND tg.loai IN ('quarter_sum') OR (x.unit_code = '*' AND tg.loai = 'year_sum' AND tg.scope <> 'all')
             THEN 100.0 ELSE tg.target END AS target,
        -- the pace line at $as_of, for ratios with a deadline
        CASE WHEN tg.loai IN ('ratio', 'share_yes') AND tg.deadline IS NOT NULL AND x.yq IS NOT NULL THEN
            x.v0 + (tg.target - x.v0) * greatest(0, date_diff('day',
                make_date(x.yq // 10, (x.yq % 10) * 3, 1) + INTERVAL 1 MONTH - INTERVAL 1 DAY, $as_of))
                / greatest(1, date_diff('day',
                make_date(x.yq // 10, (x.yq % 10) * 3, 1) + INTERVAL 1 MONTH - INTERVAL 1 DAY, tg.deadline))
        END AS pace_line
    FROM (SELECT * FROM per_unit UNION ALL BY NAME SELECT * FROM per_all) AS x
    JOIN tg USING (indicator)
)
SELECT
    unit_code, unit_name, indicator,
    -- for "each unit" counts the scope row is the share of units meeting the target
    CASE WHEN unit_code = '*' AND (loai = 'quarter_sum' OR (loai = 'year_sum' AND scope <> 'all'))
         THEN ten || ' (tỷ lệ đơn vị đạt)' ELSE ten END AS indicator_name,
    loai AS kind,
    CASE WHEN unit_code = '*' AND (loai = 'quarter_sum' OR (loai = 'year_sum' AND scope <> 'all'))
         THEN '%' ELSE don_vi END AS measure,
    value, num, den, target, deadline, pace_line, scope, note, seed,
    CASE
        WHEN value IS NULL THEN 'Chưa có số liệu'
        WHEN target IS NULL THEN 'Theo dõi'
        WHEN value >= target - 1e-9 THEN 'Đạt'
        WHEN deadline IS NOT NULL AND $as_of < deadline AND loai = 'year_sum' AND unit_code <> '*' OR
             (deadline IS NOT NULL AND $as_of < deadline AND loai = 'year_sum' AND scope = 'all')
            THEN CASE WHEN value >= target * $q_to / 4.0 - 1e-9 THEN 'Đúng tiến độ' ELSE 'Chậm' END
        WHEN deadline IS NOT NULL AND $as_of < deadline AND pace_line IS NOT NULL
            THEN CASE WHEN value >= pace_line - 1e-9 THEN 'Đúng tiến độ' ELSE 'Chậm' END
        ELSE 'Chậm'
    END AS status
FROM judged
ORDER BY unit_code = '*' DESC, indicator, unit_code
