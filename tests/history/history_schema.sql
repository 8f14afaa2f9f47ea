-- A copy of the history store's DDL as the sync branch defines it (its generator/lib/history/schema.sql), kept
-- only until that branch merges: then this file goes and store_builder.py applies the package's schema.sql.
CREATE TABLE store_meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL);
-- rows: ('schema_version', '1'), ('kit_version', '<package version that created it>')

CREATE TABLE runs (
  run_id VARCHAR PRIMARY KEY, project_id VARCHAR NOT NULL, created_at TIMESTAMPTZ NOT NULL,
  status VARCHAR, completed BOOLEAN NOT NULL,          -- completed = the run is finished (not running)
  branch VARCHAR, commit_sha VARCHAR, commit_message VARCHAR, tags VARCHAR[], ci_build_id VARCHAR,
  group_ids VARCHAR[], synced_at TIMESTAMPTZ NOT NULL);

CREATE TABLE instances (
  instance_id VARCHAR PRIMARY KEY, run_id VARCHAR NOT NULL, project_id VARCHAR NOT NULL,
  spec VARCHAR NOT NULL, group_id VARCHAR, runner VARCHAR, claimed BOOLEAN NOT NULL,
  completed BOOLEAN NOT NULL, created_at TIMESTAMPTZ, synced_at TIMESTAMPTZ NOT NULL);

CREATE TABLE tests (               -- one row per test per instance, from iter_tests
  project_id VARCHAR NOT NULL, run_id VARCHAR NOT NULL, instance_id VARCHAR NOT NULL,
  test_key VARCHAR NOT NULL,       -- test_id when the record has one, else 'title:' || the JSON array of the title path
  test_id VARCHAR, spec VARCHAR NOT NULL, title VARCHAR[] NOT NULL,
  state VARCHAR NOT NULL,          -- TestRecord.state: passed | failed | flaky | skipped | pending (runner-agnostic)
  runner_state VARCHAR, attempts INTEGER NOT NULL, flaky BOOLEAN NOT NULL, duration_ms BIGINT,
  error_message VARCHAR, created_at TIMESTAMPTZ NOT NULL,   -- the run's created_at
  branch VARCHAR, commit_sha VARCHAR,                       -- copied from the run, so metrics need no join
  PRIMARY KEY (instance_id, test_key));

CREATE TABLE explorer_tests (      -- Currents' own numbers from the Tests Explorer (list_tests), when synced
  project_id VARCHAR NOT NULL, spec VARCHAR NOT NULL, title VARCHAR[] NOT NULL, signature VARCHAR,
  executions BIGINT, flakiness_rate DOUBLE, failure_rate DOUBLE, synced_at TIMESTAMPTZ NOT NULL);
  -- HISTORY_SCHEMA's PRIMARY KEY (project_id, spec, title) is left out: DuckDB refuses a VARCHAR[] in an index
  -- key ("Invalid type for index key"), so the sync keeps (project_id, spec, title) unique itself.

CREATE TABLE sync_state (
  project_id VARCHAR PRIMARY KEY, newest_run_created_at TIMESTAMPTZ, last_sync_started_at TIMESTAMPTZ,
  last_sync_finished_at TIMESTAMPTZ);
