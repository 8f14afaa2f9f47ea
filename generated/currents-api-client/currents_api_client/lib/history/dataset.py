# Hand-written, not generated: `make generate` never touches currents_api_client/lib/ (see lib/__init__.py).
"""`write_dataset(store, directory)`: the history store as a hive-partitioned Parquet dataset.

Layout, the one Spark, Trino and DuckDB read as it is:

    DIR/tests/project_id=<id>/date=<YYYY-MM-DD>/data_0.parquet
    DIR/runs/project_id=<id>/date=<YYYY-MM-DD>/data_0.parquet
    DIR/instances/project_id=<id>/date=<YYYY-MM-DD>/data_0.parquet
    DIR/explorer_tests/project_id=<id>/data_0.parquet

`date` is the UTC day the run was created (for instances and tests too, so a run's rows share one partition).
The partition columns are in the paths, not in the files (as Hive writes them); read them back as strings.

DuckDB writes every table with `COPY ... (FORMAT parquet, PARTITION_BY ...)` into a staging folder inside DIR;
each partition it wrote then replaces the partition of the same path (renamed into place, the old one
removed), so rewriting a partition replaces it and every other file under DIR stays as it was.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb

# table -> (the SELECT that COPY writes, its partition columns)
TABLES: dict[str, tuple[str, tuple[str, ...]]] = {
    "tests": ("SELECT *, CAST(created_at AS DATE) AS date FROM tests", ("project_id", "date")),
    "runs": ("SELECT *, CAST(created_at AS DATE) AS date FROM runs", ("project_id", "date")),
    "instances": (
        "SELECT i.*, CAST(r.created_at AS DATE) AS date FROM instances i JOIN runs r ON r.run_id = i.run_id",
        ("project_id", "date"),
    ),
    "explorer_tests": ("SELECT * FROM explorer_tests", ("project_id",)),
}


@dataclass(frozen=True, slots=True)
class WrittenTable:
    table: str
    rows: int
    partitions: int


def sql_string(text: str) -> str:
    """`text` as a SQL string literal (quotes doubled): COPY takes its target as a literal, not a parameter."""
    return "'" + text.replace("'", "''") + "'"


def _partitions(root: Path, depth: int) -> list[Path]:
    """The partition folders `depth` levels below `root`, relative to it."""
    level = [Path()]
    for _ in range(depth):
        level = [p / child.name for p in level for child in sorted((root / p).iterdir()) if child.is_dir()]
    return level


def _swap(staged: Path, target: Path) -> None:
    """Put the folder `staged` at `target`, replacing what was there."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists():
        os.replace(staged, target)
        return
    old = target.with_name(f".{target.name}.replaced")
    if old.exists():
        shutil.rmtree(old)
    os.replace(target, old)
    os.replace(staged, target)
    shutil.rmtree(old)


def write_dataset(connection: duckdb.DuckDBPyConnection, directory: Path) -> list[WrittenTable]:
    """Write every table of the store below `directory`; return what each table wrote."""
    directory.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=directory))
    written = []
    try:
        for table, (select, columns) in TABLES.items():
            rows = connection.execute(f"SELECT COUNT(*) FROM ({select})").fetchone()
            count = 0 if rows is None else int(rows[0])
            target = staging / table
            if count:
                options = f"FORMAT parquet, PARTITION_BY ({', '.join(columns)})"
                connection.execute(f"COPY ({select}) TO {sql_string(str(target))} ({options})")
            partitions = _partitions(target, len(columns)) if count else []
            for partition in partitions:
                _swap(target / partition, directory / table / partition)
            written.append(WrittenTable(table, count, len(partitions)))
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return written
