# Hand-written, not generated: `make generate` never touches currents_api_client/lib/ (see lib/__init__.py).
"""The history store: one DuckDB file with the tables of `schema.sql`, and the version of that schema.

- `check_path(path)`: why `path` cannot be a store (one phrase), or None, without creating or opening anything:
  a folder, a file that is not a DuckDB database (its header has no `DUCK` magic), a folder that cannot be
  written. The CLI asks before its first request.
- `open_store(path)`: a connection to the store, created when the file does not exist (the DDL of `schema.sql`
  and the `store_meta` rows `schema_version` and `kit_version`, in one transaction). An existing store is read
  as it is when its `schema_version` is this kit's, migrated in one transaction when it is older and a
  migration exists (`MIGRATIONS`), and refused otherwise.

Errors: `StoreUnusable` (the path or the file cannot be a store: the CLI's usage error, exit 2) and `StoreLocked`
(another process holds DuckDB's lock on the file, say another sync: exit 1). Both are one line naming the path,
and neither changes the file.

Versions: 1 is the layout of `schema.sql`. 0 is the draft layout that predates the Tests Explorer table
(`explorer_tests`), `sync_state.synced_since` and the `kit_version` row; migrating it adds them and keeps
every row.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path

import duckdb

from ... import __version__
from ..files import probe_folder

SCHEMA_VERSION = 1
DUCKDB_MAGIC = b"DUCK"  # bytes 8 to 12 of every DuckDB database file, after the header's checksum
MAGIC_OFFSET = 8
SCHEMA_FILE = Path(__file__).with_name("schema.sql")
TABLES = ("store_meta", "runs", "instances", "tests", "explorer_tests", "sync_state")


class StoreError(Exception):
    """The store cannot be used; its text is one line naming the path."""


class StoreUnusable(StoreError):
    """The path is not, and cannot become, a history store of this kit."""


class StoreLocked(StoreError):
    """Another process holds the store's lock."""


def schema_sql() -> str:
    """The DDL of the current schema version."""
    return SCHEMA_FILE.read_text(encoding="utf-8")


def check_path(path: Path) -> str | None:
    """Why `path` cannot be a store, or None. Reads at most the file's first bytes; creates nothing."""
    if path.is_dir():
        return "is a directory"
    if path.exists():
        try:
            with path.open("rb") as stream:
                header = stream.read(MAGIC_OFFSET + len(DUCKDB_MAGIC))
        except OSError as error:
            return f"cannot be read ({error.strerror or type(error).__name__})"
        if header[MAGIC_OFFSET:] != DUCKDB_MAGIC:
            return "is not a DuckDB database"
        return None
    folder = path.parent
    if not folder.is_dir():
        return f"the folder {folder} does not exist"
    return probe_folder(folder, f".{path.name}.probe")


def _migrate_0(connection: duckdb.DuckDBPyConnection) -> None:
    connection.execute(
        "CREATE TABLE explorer_tests (project_id VARCHAR NOT NULL, spec VARCHAR NOT NULL, title VARCHAR[] NOT NULL, "
        "signature VARCHAR, executions BIGINT, flakiness_rate DOUBLE, failure_rate DOUBLE, "
        "synced_at TIMESTAMPTZ NOT NULL, title_key VARCHAR NOT NULL, PRIMARY KEY (project_id, spec, title_key))"
    )
    connection.execute("ALTER TABLE sync_state ADD COLUMN synced_since TIMESTAMPTZ")
    connection.execute("INSERT OR IGNORE INTO store_meta VALUES ('kit_version', ?)", [__version__])


# From version N to N + 1, each run inside the one transaction that also sets the new schema_version.
MIGRATIONS: dict[int, Callable[[duckdb.DuckDBPyConnection], None]] = {0: _migrate_0}


def _connect(path: Path) -> duckdb.DuckDBPyConnection:
    try:
        return duckdb.connect(str(path))
    except duckdb.IOException as error:
        text = str(error)
        if "Could not set lock" in text:
            raise StoreLocked(f"{path}: locked by another process (another sync?); try again when it is done") from None
        if "not a valid DuckDB database" in text:
            raise StoreUnusable(f"{path}: is not a DuckDB database") from None
        raise StoreUnusable(f"{path}: cannot open it ({_first_line(text)})") from None
    except duckdb.Error as error:
        raise StoreUnusable(f"{path}: cannot open it ({_first_line(str(error))})") from None


def _first_line(text: str) -> str:
    lines = text.strip().splitlines()
    return lines[0] if lines else "failed"


def rollback(connection: duckdb.DuckDBPyConnection) -> None:
    """Roll back the open transaction, unless DuckDB has already: a COMMIT that failed (a full disk) ends the
    transaction itself, and a ROLLBACK then raises an error of its own that would hide the one that matters."""
    with contextlib.suppress(duckdb.TransactionException):
        connection.execute("ROLLBACK")


def _tables(connection: duckdb.DuckDBPyConnection) -> set[str]:
    rows = connection.execute("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'").fetchall()
    return {str(name) for (name,) in rows}


def _create(connection: duckdb.DuckDBPyConnection) -> None:
    connection.execute("BEGIN TRANSACTION")
    try:
        connection.execute(schema_sql())
        connection.execute(
            "INSERT INTO store_meta VALUES ('schema_version', ?), ('kit_version', ?)",
            [str(SCHEMA_VERSION), __version__],
        )
        connection.execute("COMMIT")
    except BaseException:
        rollback(connection)
        raise


def _version(path: Path, connection: duckdb.DuckDBPyConnection) -> int:
    row = connection.execute("SELECT value FROM store_meta WHERE key = 'schema_version'").fetchone()
    if row is None:
        raise StoreUnusable(f"{path}: a DuckDB database without a schema_version, not a history store")
    try:
        return int(row[0])
    except ValueError:
        raise StoreUnusable(f"{path}: its schema_version {row[0]!r} is not a number") from None


def _upgrade(path: Path, connection: duckdb.DuckDBPyConnection, version: int) -> None:
    if version > SCHEMA_VERSION:
        raise StoreUnusable(
            f"{path}: made by a newer kit (schema version {version}; this one reads {SCHEMA_VERSION}): "
            "upgrade currents-api-client"
        )
    steps = range(version, SCHEMA_VERSION)
    if any(step not in MIGRATIONS for step in steps):
        raise StoreUnusable(
            f"{path}: schema version {version} is too old to migrate (this kit migrates from "
            f"{min(MIGRATIONS)}); sync into a new file"
        )
    connection.execute("BEGIN TRANSACTION")
    try:
        for step in steps:
            MIGRATIONS[step](connection)
        connection.execute("UPDATE store_meta SET value = ? WHERE key = 'schema_version'", [str(SCHEMA_VERSION)])
        connection.execute("COMMIT")
    except BaseException:
        rollback(connection)
        raise


def open_store(path: Path | str) -> duckdb.DuckDBPyConnection:
    """A connection to the store at `path`, created or migrated as needed (see the module docstring)."""
    path = Path(path)
    why = check_path(path)
    if why is not None:
        raise StoreUnusable(f"{path}: {why}")
    connection = _connect(path)
    try:
        tables = _tables(connection)
        if not tables:
            _create(connection)
        elif "store_meta" not in tables:
            raise StoreUnusable(f"{path}: a DuckDB database but not a history store (no store_meta table)")
        else:
            version = _version(path, connection)
            if version != SCHEMA_VERSION:
                _upgrade(path, connection, version)
    except BaseException:
        connection.close()
        raise
    return connection
