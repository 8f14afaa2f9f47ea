"""The history store's file: created with the DDL of schema.sql and its schema version, migrated from version 0,
and refused, unchanged and in one line, when it is not a store this kit can use."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tomllib
from pathlib import Path

import duckdb
import pytest
from currents_api_client import __version__
from currents_api_client.lib.history import SCHEMA_VERSION, StoreLocked, StoreUnusable, check_path, open_store
from currents_api_client.lib.history.store import MIGRATIONS, TABLES, schema_sql

from kit._cli import ROOT

SCHEMA_FILE = ROOT / "generated" / "currents-api-client" / "currents_api_client" / "lib" / "history" / "schema.sql"
LOCK_TIMEOUT = 60


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def meta(path: Path) -> dict[str, str]:
    connection = duckdb.connect(str(path), read_only=True)
    try:
        return dict(connection.execute("SELECT key, value FROM store_meta").fetchall())
    finally:
        connection.close()


def test_a_new_store_has_every_table_of_schema_sql_and_records_its_versions(tmp_path: Path) -> None:
    path = tmp_path / "history.duckdb"
    open_store(path).close()
    connection = duckdb.connect(str(path), read_only=True)
    tables = {t for (t,) in connection.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    connection.close()
    assert tables == set(TABLES)
    assert meta(path) == {"schema_version": str(SCHEMA_VERSION), "kit_version": __version__}
    assert schema_sql() == SCHEMA_FILE.read_text(encoding="utf-8")  # the package's copy is the source's


def test_opening_a_store_again_keeps_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "history.duckdb"
    connection = open_store(path)
    connection.execute("INSERT INTO sync_state (project_id) VALUES ('P1')")
    connection.close()
    connection = open_store(path)
    assert connection.execute("SELECT project_id FROM sync_state").fetchall() == [("P1",)]
    connection.close()


# Version 0: the layout before the Tests Explorer table, sync_state.synced_since and the kit_version row.
VERSION_0 = """
CREATE TABLE store_meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL);
INSERT INTO store_meta VALUES ('schema_version', '0');
CREATE TABLE runs (run_id VARCHAR PRIMARY KEY, project_id VARCHAR NOT NULL, created_at TIMESTAMPTZ NOT NULL,
  status VARCHAR, completed BOOLEAN NOT NULL, branch VARCHAR, commit_sha VARCHAR, commit_message VARCHAR,
  tags VARCHAR[], ci_build_id VARCHAR, group_ids VARCHAR[], synced_at TIMESTAMPTZ NOT NULL);
CREATE TABLE sync_state (project_id VARCHAR PRIMARY KEY, newest_run_created_at TIMESTAMPTZ,
  last_sync_started_at TIMESTAMPTZ, last_sync_finished_at TIMESTAMPTZ);
INSERT INTO runs VALUES ('R1', 'P1', TIMESTAMPTZ '2026-01-02 03:04:05+00', 'PASSED', true, 'main', 'abc', 'msg',
  ['nightly'], 'b1', ['g1'], TIMESTAMPTZ '2026-01-03 00:00:00+00');
INSERT INTO sync_state VALUES ('P1', TIMESTAMPTZ '2026-01-02 03:04:05+00', NULL, NULL);
"""


def build(path: Path, sql: str) -> None:
    connection = duckdb.connect(str(path))
    connection.execute(sql)
    connection.close()


def test_a_version_0_store_is_migrated_in_place_keeping_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    build(path, VERSION_0)
    assert 0 in MIGRATIONS
    connection = open_store(path)
    run = connection.execute("SELECT run_id, project_id, branch, tags FROM runs").fetchall()
    state = connection.execute("SELECT project_id, synced_since IS NULL FROM sync_state").fetchall()
    explorer = connection.execute("SELECT count(*) FROM explorer_tests").fetchall()
    connection.close()
    assert run == [("R1", "P1", "main", ["nightly"])]
    assert state == [("P1", True)] and explorer == [(0,)]
    assert meta(path) == {"schema_version": str(SCHEMA_VERSION), "kit_version": __version__}


@pytest.mark.parametrize(
    ("version", "fragment"),
    [
        (
            str(SCHEMA_VERSION + 1),
            f"made by a newer kit (schema version {SCHEMA_VERSION + 1}; this one reads 1): upgrade currents-api-client",
        ),
        ("-1", "schema version -1 is too old to migrate (this kit migrates from 0); sync into a new file"),
        ("one", "its schema_version 'one' is not a number"),
    ],
)
def test_a_store_of_another_schema_version_is_refused_unchanged(tmp_path: Path, version: str, fragment: str) -> None:
    path = tmp_path / "other.duckdb"
    build(path, VERSION_0.replace("'schema_version', '0'", f"'schema_version', '{version}'"))
    before = digest(path)
    with pytest.raises(StoreUnusable) as refused:
        open_store(path)
    assert str(refused.value) == f"{path}: {fragment}"
    assert digest(path) == before


def test_a_file_that_is_not_duckdb_is_refused_before_opening_and_left_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "notes.duckdb"
    path.write_text("my notes, not a database\n" * 10)
    assert check_path(path) == "is not a DuckDB database"
    with pytest.raises(StoreUnusable, match=r"notes\.duckdb: is not a DuckDB database$"):
        open_store(path)
    assert path.read_text() == "my notes, not a database\n" * 10


def test_a_duckdb_database_that_is_not_a_store_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.duckdb"
    build(path, "CREATE TABLE sales (id INTEGER)")
    before = digest(path)
    with pytest.raises(StoreUnusable, match="a DuckDB database but not a history store"):
        open_store(path)
    assert digest(path) == before


def test_a_folder_and_a_missing_folder_are_refused_without_creating_anything(tmp_path: Path) -> None:
    assert check_path(tmp_path) == "is a directory"
    assert check_path(tmp_path / "no" / "h.duckdb") == f"the folder {tmp_path / 'no'} does not exist"
    assert list(tmp_path.iterdir()) == []


HOLD_LOCK = """
import sys, duckdb
connection = duckdb.connect(sys.argv[1])
print("locked", flush=True)
sys.stdin.readline()
"""


def test_a_store_locked_by_another_process_is_refused_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "history.duckdb"
    open_store(path).close()
    before = digest(path)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        with pytest.raises(StoreLocked) as locked:
            open_store(path)
        assert str(locked.value) == f"{path}: locked by another process (another sync?); try again when it is done"
    finally:
        holder.communicate("\n", timeout=LOCK_TIMEOUT)
    assert digest(path) == before


def test_the_history_extra_pins_the_duckdb_the_tests_run() -> None:
    package = tomllib.loads((ROOT / "generated" / "currents-api-client" / "pyproject.toml").read_text())
    dev = tomllib.loads((ROOT / "pyproject.toml").read_text())["dependency-groups"]["dev"]
    assert package["project"]["optional-dependencies"]["history"] == [f"duckdb=={duckdb.__version__}"]
    assert f"duckdb=={duckdb.__version__}" in dev
