-- Hand-written, not generated: `make generate` never touches currents_api_client/lib/ (see lib/__init__.py).
--
-- The trend charts of `currents-api flaky --format html`: per test and UTC day, its executions and how many were
-- flaky or failed, with the same four positional parameters as flaky_metrics.sql (project_id, since, branch,
-- min_executions; min_executions is not used here: the caller picks the tests from the metrics).
WITH params AS (
  SELECT
    CAST(? AS STRING) AS project_id,
    CAST(? AS TIMESTAMP) AS since,
    CAST(? AS STRING) AS branch,
    CAST(? AS BIGINT) AS min_executions
)
SELECT
  t.project_id, t.spec, t.title,
  CAST(t.created_at AS DATE) AS day,
  COUNT(*) AS executions,
  SUM(CASE WHEN t.state = 'flaky' THEN 1 ELSE 0 END) AS flaky,
  SUM(CASE WHEN t.state = 'failed' THEN 1 ELSE 0 END) AS failed
FROM tests t CROSS JOIN params p
WHERE t.state IN ('passed', 'failed', 'flaky')
  AND (p.project_id IS NULL OR t.project_id = p.project_id)
  AND (p.since IS NULL OR t.created_at >= p.since)
  AND (p.branch IS NULL OR t.branch = p.branch)
GROUP BY t.project_id, t.spec, t.title, CAST(t.created_at AS DATE)
ORDER BY t.project_id, t.spec, t.title, day
