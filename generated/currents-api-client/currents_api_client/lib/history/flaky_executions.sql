-- Hand-written, not generated: `make generate` never touches currents_api_client/lib/ (see lib/__init__.py).
--
-- The executions that `currents-api flaky` counts, defined once: the first two CTEs of flaky_metrics.sql and of
-- flaky_trend.sql, which `history.metrics` pastes in place of their `{executions}` line. Syntax both DuckDB and
-- Spark SQL accept. The four filters arrive as positional `?` parameters, in this order, never pasted into
-- the text:
--   1. project_id      STRING     only this project (NULL: every project)
--   2. since           TIMESTAMP  only runs created at or after it, UTC (NULL: the whole history)
--   3. branch          STRING     only runs of this branch (NULL: every branch)
--   4. min_executions  BIGINT     only tests with at least this many executions (NULL: 1); flaky_metrics.sql
--                                 applies it, flaky_trend.sql does not (the caller picks the tests)
--
-- An execution is a row of `tests` whose state is passed, failed or flaky (the tests that ran: skipped and
-- pending did not), in the filters; its outcome is 'pass' when it ended passing (passed or flaky), else 'fail'.
params AS (
  SELECT
    CAST(? AS STRING) AS project_id,
    CAST(? AS TIMESTAMP) AS since,
    CAST(? AS STRING) AS branch,
    CAST(? AS BIGINT) AS min_executions
),
executions AS (
  SELECT
    t.project_id, t.spec, t.title, t.state, t.commit_sha, t.created_at, t.run_id, t.instance_id, t.test_key,
    CASE WHEN t.state = 'failed' THEN 'fail' ELSE 'pass' END AS outcome
  FROM tests t CROSS JOIN params p
  WHERE t.state IN ('passed', 'failed', 'flaky')
    AND (p.project_id IS NULL OR t.project_id = p.project_id)
    AND (p.since IS NULL OR t.created_at >= p.since)
    AND (p.branch IS NULL OR t.branch = p.branch)
)
