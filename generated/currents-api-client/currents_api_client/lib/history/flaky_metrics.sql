-- Hand-written, not generated: `make generate` never touches currents_api_client/lib/ (see lib/__init__.py).
--
-- The flakiness metrics of `currents-api flaky`: one row per test, a test being (project_id, spec, title path).
-- Its first CTEs, the four filters and the executions they keep, are flaky_executions.sql, which
-- `history.metrics.metrics_sql()` pastes in place of the `{executions}` line; that whole text is what DuckDB
-- runs on the history store and Spark SQL runs unchanged on the Parquet dataset (`make spark-check`): only
-- syntax both accept (STRING, BIGINT, DOUBLE, TIMESTAMP, CASE, LAG, no FILTER or QUALIFY). The filters arrive
-- as four positional `?` parameters (flaky_executions.sql lists them), never pasted into the text.
--
-- Definitions (docs/guides/find-and-quarantine-flaky-tests.md cites each source):
--   executions         rows whose state is passed, failed or flaky: the tests that ran (skipped, pending did not).
--   passed, failed, flaky   the executions of each state (records.TestRecord.state).
--   flake_rate         flaky / executions. Currents' definition: a flaky test did not pass on its first attempt
--                      but passed in the end, within one run (Currents docs, "Flaky Tests").
--   failure_rate       failed / executions (Currents' failure rate).
--   same_commit_flips  the commits on which the test both passed (passed or flaky: it ended passing) and failed
--                      across executions: different results on the same code. The definition of Google
--                      ("Flaky Tests at Google and How We Mitigate Them", 2016), Trunk, BuildPulse and Buildkite.
--   flip_rate          state changes between consecutive executions (ordered by the run's creation, then run id,
--                      instance id and test key: one order on every engine), pass to fail or fail to pass, over
--                      executions - 1; NULL for one execution.
--                      Apple's "flip rate" (Kowalczyk et al., "Modeling and Ranking Flaky Tests at Apple",
--                      ICSE-SEIP 2020). An execution is a pass when it ended passing (passed or flaky).
--   first_seen, last_seen   the creation of the first and the last run the test was executed in.
--   currents_flakiness_rate, currents_executions   the Tests Explorer's own flakinessRate and executions, as the
--                      sync stored them (explorer_tests), side by side; NULL when not synced.
WITH
{executions},
sequenced AS (
  SELECT
    e.project_id, e.spec, e.title, e.state, e.created_at, e.outcome,
    LAG(e.outcome) OVER (
      PARTITION BY e.project_id, e.spec, e.title ORDER BY e.created_at, e.run_id, e.instance_id, e.test_key
    ) AS previous_outcome
  FROM executions e
),
counted AS (
  SELECT
    project_id, spec, title,
    COUNT(*) AS executions,
    SUM(CASE WHEN state = 'passed' THEN 1 ELSE 0 END) AS passed,
    SUM(CASE WHEN state = 'failed' THEN 1 ELSE 0 END) AS failed,
    SUM(CASE WHEN state = 'flaky' THEN 1 ELSE 0 END) AS flaky,
    SUM(CASE WHEN previous_outcome IS NOT NULL AND previous_outcome <> outcome THEN 1 ELSE 0 END) AS flips,
    MIN(created_at) AS first_seen,
    MAX(created_at) AS last_seen
  FROM sequenced
  GROUP BY project_id, spec, title
),
flipped_commits AS (
  SELECT project_id, spec, title, commit_sha
  FROM executions
  WHERE commit_sha IS NOT NULL
  GROUP BY project_id, spec, title, commit_sha
  HAVING SUM(CASE WHEN outcome = 'pass' THEN 1 ELSE 0 END) > 0 AND SUM(CASE WHEN outcome = 'fail' THEN 1 ELSE 0 END) > 0
),
commit_flips AS (
  SELECT project_id, spec, title, COUNT(*) AS same_commit_flips
  FROM flipped_commits
  GROUP BY project_id, spec, title
)
SELECT
  c.project_id,
  c.spec,
  c.title,
  c.executions,
  c.passed,
  c.failed,
  c.flaky,
  CAST(c.flaky AS DOUBLE) / c.executions AS flake_rate,
  CAST(c.failed AS DOUBLE) / c.executions AS failure_rate,
  CAST(COALESCE(f.same_commit_flips, 0) AS BIGINT) AS same_commit_flips,
  CASE WHEN c.executions > 1 THEN CAST(c.flips AS DOUBLE) / (c.executions - 1) ELSE NULL END AS flip_rate,
  c.first_seen,
  c.last_seen,
  x.flakiness_rate AS currents_flakiness_rate,
  x.executions AS currents_executions
FROM counted c
CROSS JOIN params p
LEFT JOIN commit_flips f ON f.project_id = c.project_id AND f.spec = c.spec AND f.title = c.title
LEFT JOIN explorer_tests x ON x.project_id = c.project_id AND x.spec = c.spec AND x.title = c.title
WHERE c.executions >= COALESCE(p.min_executions, 1)
ORDER BY flake_rate DESC, same_commit_flips DESC, failure_rate DESC, c.project_id, c.spec, c.title
