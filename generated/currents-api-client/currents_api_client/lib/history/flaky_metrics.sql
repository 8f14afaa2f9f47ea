-- Hand-written, not generated: `make generate` never touches currents_api_client/lib/ (see lib/__init__.py).
--
-- The flakiness metrics of `currents-api flaky`: one row per test, a test being (project_id, spec, title path).
-- DuckDB runs it on the history store, Spark SQL runs it unchanged on the Parquet dataset (`make spark-check`):
-- only syntax both accept (STRING, BIGINT, DOUBLE, TIMESTAMP, CASE, LAG, no FILTER or QUALIFY), and the four
-- filters arrive as positional `?` parameters, in this order, never pasted into the text:
--   1. project_id      STRING     only this project (NULL: every project)
--   2. since           TIMESTAMP  only runs created at or after it, UTC (NULL: the whole history)
--   3. branch          STRING     only runs of this branch (NULL: every branch)
--   4. min_executions  BIGINT     only tests with at least this many executions (NULL: 1)
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
WITH params AS (
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
),
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
