-- Hand-written, not generated: `make generate` never touches currents_api_client/lib/ (see lib/__init__.py).
--
-- The trend charts of `currents-api flaky --format html`: per test and UTC day, its executions and how many were
-- flaky or failed. The executions are those of flaky_metrics.sql, with the same four positional parameters:
-- flaky_executions.sql, which `history.metrics.trend_sql()` pastes in place of the `{executions}` line
-- (min_executions is not used here: the caller picks the tests from the metrics).
WITH
{executions}
SELECT
  e.project_id, e.spec, e.title,
  CAST(e.created_at AS DATE) AS day,
  COUNT(*) AS executions,
  SUM(CASE WHEN e.state = 'flaky' THEN 1 ELSE 0 END) AS flaky,
  SUM(CASE WHEN e.state = 'failed' THEN 1 ELSE 0 END) AS failed
FROM executions e
GROUP BY e.project_id, e.spec, e.title, CAST(e.created_at AS DATE)
ORDER BY e.project_id, e.spec, e.title, day
