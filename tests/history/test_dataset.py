"""`currents-api dataset DIR`: hive-partitioned Parquet that pyarrow and DuckDB read back with the store's row
counts; writing again replaces the partitions the store holds and touches nothing else."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.dataset as ds
import pytest

from contract_tests.mock_api.app import MockApi
from tests.lib.cli_support import cli

pytestmark = pytest.mark.slow  # the end-to-end tier: `make test-e2e`

TABLES = {"tests": 2, "runs": 2, "instances": 2, "explorer_tests": 1}  # table -> partition levels
PARTITION_TYPES = {"project_id": pa.string(), "date": pa.string()}


def _store_counts(store: Path) -> dict[str, int]:
    with duckdb.connect(str(store), read_only=True) as connection:
        return {t: connection.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES}  # type: ignore[index]


def _arrow(directory: Path, table: str) -> pa.Table:
    levels = ["project_id", "date"][: TABLES[table]]
    partitioning = ds.partitioning(pa.schema([(name, PARTITION_TYPES[name]) for name in levels]), flavor="hive")
    return ds.dataset(directory / table, format="parquet", partitioning=partitioning).to_table()


def _duckdb_count(directory: Path, table: str) -> int:
    with duckdb.connect() as connection:
        found = connection.execute(
            "SELECT COUNT(*) FROM read_parquet(?, hive_partitioning = true)", [str(directory / table / "**/*.parquet")]
        ).fetchone()
    assert found is not None
    return int(found[0])


def test_the_dataset_reads_back_in_pyarrow_and_duckdb_with_the_stores_row_counts(
    store: Path, mock_url: str, tmp_path: Path
) -> None:
    out = tmp_path / "dataset"
    process = cli(mock_url, "dataset", str(out), "--db", str(store))
    assert process.returncode == 0, process.stderr
    counts = _store_counts(store)
    assert all(counts.values()), counts
    for table, rows in counts.items():
        assert _arrow(out, table).num_rows == rows, table
        assert _duckdb_count(out, table) == rows, table
        assert f"{table}: {rows} rows in " in process.stdout
    files = sorted(p.relative_to(out).parts for p in out.rglob("*.parquet"))
    assert {parts[0] for parts in files} == set(TABLES)
    for parts in files:
        levels = [part.split("=")[0] for part in parts[1:-1]]
        assert levels == ["project_id", "date"][: TABLES[parts[0]]], parts
    tests = _arrow(out, "tests")
    assert set(tests.column("project_id").to_pylist()) == {"DgTfZV", "LPjo81", "Prj7Qa", "Prj9Zb"}
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no staging folder left behind


def test_writing_again_replaces_the_stores_partitions_and_touches_nothing_else(
    store: Path, mock_url: str, tmp_path: Path
) -> None:
    out = tmp_path / "dataset"
    assert cli(mock_url, "dataset", str(out), "--db", str(store)).returncode == 0
    foreign = out / "tests" / "project_id=elsewhere" / "date=2000-01-01" / "part.parquet"
    foreign.parent.mkdir(parents=True)
    shutil.copyfile(next((out / "tests").rglob("*.parquet")), foreign)
    readme = out / "README.txt"
    readme.write_text("kept\n")

    changed = tmp_path / "changed.duckdb"
    shutil.copyfile(store, changed)
    with duckdb.connect(str(changed)) as connection:
        connection.execute("SET TimeZone = 'UTC'")
        row = connection.execute(
            "SELECT project_id, CAST(created_at AS DATE) AS day, COUNT(*) FROM tests"
            " GROUP BY ALL ORDER BY 3 DESC, 1, 2 LIMIT 1"
        ).fetchone()
        assert row is not None and row[2] >= 2
        project_id, day, before = row
        connection.execute(
            "DELETE FROM tests WHERE instance_id = (SELECT MIN(instance_id) FROM tests"
            " WHERE project_id = ? AND CAST(created_at AS DATE) = ?)",
            [project_id, day],
        )
        remaining = connection.execute(
            "SELECT COUNT(*) FROM tests WHERE project_id = ? AND CAST(created_at AS DATE) = ?", [project_id, day]
        ).fetchone()
    assert remaining is not None and remaining[0] < before
    foreign_bytes = foreign.read_bytes()

    again = cli(mock_url, "dataset", str(out), "--db", str(changed))
    assert again.returncode == 0, again.stderr
    partition = out / "tests" / f"project_id={project_id}" / f"date={day.isoformat()}"
    assert ds.dataset(partition, format="parquet").count_rows() == remaining[0]  # replaced, not appended to
    assert foreign.read_bytes() == foreign_bytes and readme.read_text() == "kept\n"
    assert _arrow(out, "tests").num_rows == _store_counts(changed)["tests"] + ds.dataset(foreign).count_rows()


def test_flaky_and_dataset_send_no_request_and_leave_the_store_as_it_was(
    store: Path, mock_url: str, mock_app: MockApi, tmp_path: Path
) -> None:
    before, store_bytes = len(mock_app.journal.methods), store.read_bytes()
    for args in (("flaky", "--format", "csv"), ("flaky", "--format", "html"), ("dataset", str(tmp_path / "out"))):
        process = cli(mock_url, *args, "--db", str(store))
        assert process.returncode == 0, process.stderr
    assert len(mock_app.journal.methods) == before  # the API was never asked
    assert store.read_bytes() == store_bytes  # opened read-only
