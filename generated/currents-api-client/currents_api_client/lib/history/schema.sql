-- Hand-written, not generated: `make generate` never touches currents_api_client/lib/ (see lib/__init__.py).
-- The history store's tables, schema version 1 (store.SCHEMA_VERSION). store.py applies this file to a new store
-- and records the version in store_meta; a change here is a new version with a migration in store.MIGRATIONS.
-- All timestamps are UTC; lists are VARCHAR[].

CREATE TABLE store_meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL);

CREATE TABLE runs (
  run_id VARCHAR PRIMARY KEY, project_id VARCHAR NOT NULL, created_at TIMESTAMPTZ NOT NULL,
  status VARCHAR, completed BOOLEAN NOT NULL,
  branch VARCHAR, commit_sha VARCHAR, commit_message VARCHAR, tags VARCHAR[], ci_build_id VARCHAR,
  group_ids VARCHAR[], synced_at TIMESTAMPTZ NOT NULL);

CREATE TABLE instances (
  instance_id VARCHAR PRIMARY KEY, run_id VARCHAR NOT NULL, project_id VARCHAR NOT NULL,
  spec VARCHAR NOT NULL, group_id VARCHAR, runner VARCHAR, claimed BOOLEAN NOT NULL,
  completed BOOLEAN NOT NULL, created_at TIMESTAMPTZ, synced_at TIMESTAMPTZ NOT NULL);

CREATE TABLE tests (
  project_id VARCHAR NOT NULL, run_id VARCHAR NOT NULL, instance_id VARCHAR NOT NULL,
  test_key VARCHAR NOT NULL,
  test_id VARCHAR, spec VARCHAR NOT NULL, title VARCHAR[] NOT NULL,
  state VARCHAR NOT NULL,
  runner_state VARCHAR, attempts INTEGER NOT NULL, flaky BOOLEAN NOT NULL, duration_ms BIGINT,
  error_message VARCHAR, created_at TIMESTAMPTZ NOT NULL,
  branch VARCHAR, commit_sha VARCHAR,
  PRIMARY KEY (instance_id, test_key));

-- DuckDB cannot index a list, so the key holds the title path as JSON (title_key), beside the list itself.
CREATE TABLE explorer_tests (
  project_id VARCHAR NOT NULL, spec VARCHAR NOT NULL, title VARCHAR[] NOT NULL, signature VARCHAR,
  executions BIGINT, flakiness_rate DOUBLE, failure_rate DOUBLE, synced_at TIMESTAMPTZ NOT NULL,
  title_key VARCHAR NOT NULL,  -- the JSON array of title, e.g. ["checkout","pays by card"]
  PRIMARY KEY (project_id, spec, title_key));

CREATE TABLE sync_state (
  project_id VARCHAR PRIMARY KEY, newest_run_created_at TIMESTAMPTZ, last_sync_started_at TIMESTAMPTZ,
  last_sync_finished_at TIMESTAMPTZ,
  synced_since TIMESTAMPTZ);  -- how far back the sync that set newest_run_created_at reached (NULL: every run)
