-- Deployment settings and the plans the catalog ships. Grain: one row per plan.
-- No parameters.
SELECT s.province, s.province_name, s.plan AS default_plan, s.reporting_year, s.default_deadline_day,
       p.plan, p.ten AS plan_name, p.co_quan, p.seed
FROM ref.settings AS s CROSS JOIN ref.plans AS p
ORDER BY p.plan
