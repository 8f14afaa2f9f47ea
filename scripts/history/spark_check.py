"""`make spark-check`: the flaky metrics' SQL gives the same numbers on Spark as on DuckDB.

1. A history store from the mock: the mock is served on loopback and synced into a DuckDB store by the package's
   own sync (`history.sync.sync_projects`, what `currents-api sync` runs), plus a made-up project whose tests
   flip, also between runs of one commit (the mock's never do; scripts/history/synthetic.py adds it).
2. The store as the Parquet dataset (`history.dataset.write_dataset`, as `currents-api dataset` writes it).
3. The metrics query, the one text (`metrics_sql()`: flaky_metrics.sql from flaky_executions.sql), on DuckDB over
   the store and on Spark SQL (pyspark, local mode) over the dataset's `tests` and `explorer_tests`, with no
   filter and with each filter bound as a parameter.
4. The rows must be equal: counts exactly, rates to 1e-12, moments to the microsecond. One line per comparison;
   exit 1 on any difference, 2 when Java or pyspark is missing.

Not part of `make test` (Spark takes a minute to start); the nightly workflow runs it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import math
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from currents_api_client import AuthenticatedClient
from currents_api_client.lib.history import store as history_store
from currents_api_client.lib.history.dataset import write_dataset
from currents_api_client.lib.history.metrics import Filters, TestMetrics, flaky_metrics, metrics_sql, open_store
from currents_api_client.lib.history.sync import SyncSummary, resolve_projects, sync_projects

from contract_tests.mock_api.app import create_app
from contract_tests.mock_api.keys import load_keys
from contract_tests.mock_api.server import serve_in_thread
from scripts.history.synthetic import SYNTHETIC_PROJECT, add_synthetic_rows, create_store

CASES = {
    "every test": Filters(),
    "--branch main": Filters(branch="main"),
    "--since 2026-01-01": Filters(since=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)),
    "Prj7Qa --min-executions 2": Filters(project_id="Prj7Qa", min_executions=2),
    f"{SYNTHETIC_PROJECT} --branch main --min-executions 5": Filters(SYNTHETIC_PROJECT, None, "main", 5),
}
SYNTHETIC_RUNS, SYNTHETIC_TESTS = 60, 300  # the mock's tests never flip; these do, on shared commits too
INTEGERS = ("executions", "passed", "failed", "flaky", "same_commit_flips", "currents_executions")
RATES = ("flake_rate", "failure_rate", "flip_rate", "currents_flakiness_rate")


def spark_session() -> Any:
    from pyspark.sql import SparkSession

    return (
        SparkSession.builder.master("local[1]")
        .appName("currents-spark-check")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.host", "127.0.0.1")
        .getOrCreate()
    )


def spark_metrics(spark: Any, dataset: Path, filters: Filters) -> list[TestMetrics]:
    for table in ("tests", "explorer_tests"):
        spark.read.option("basePath", str(dataset / table)).parquet(str(dataset / table)).createOrReplaceTempView(table)
    rows = spark.sql(metrics_sql(), args=filters.parameters()).collect()
    return [TestMetrics.from_row(row.asDict()) for row in rows]


def differences(duck: list[TestMetrics], spark: list[TestMetrics]) -> list[str]:
    by_key = {(m.project_id, m.spec, m.title): m for m in spark}
    found = []
    if len(by_key) != len(spark):
        found.append("Spark gave a test twice")
    for ours in duck:
        key = (ours.project_id, ours.spec, ours.title)
        theirs = by_key.pop(key, None)
        if theirs is None:
            found.append(f"{key}: not in Spark's rows")
            continue
        for name in (*INTEGERS, "first_seen", "last_seen"):
            if getattr(ours, name) != getattr(theirs, name):
                found.append(f"{key}: {name} {getattr(ours, name)!r} on DuckDB, {getattr(theirs, name)!r} on Spark")
        for name in RATES:
            a, b = getattr(ours, name), getattr(theirs, name)
            if (a is None) != (b is None) or (a is not None and not math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)):
                found.append(f"{key}: {name} {a!r} on DuckDB, {b!r} on Spark")
    found += [f"{key}: only in Spark's rows" for key in by_key]
    return found


async def sync_mock(store: Path, base_url: str) -> SyncSummary:
    """Every project of the mock synced into a new store at `store`, as `currents-api sync` does."""
    key = load_keys().first_with_every_project()  # the mock's demo key, which reads every project
    if key is None:
        raise RuntimeError("contract_tests/mock_api/keys.yaml has no key with projects: ['*']")
    connection = history_store.open_store(store)
    try:
        async with AuthenticatedClient(base_url=base_url, token=key.value) as client:
            return await sync_projects(connection, client, await resolve_projects(client, []))
    finally:
        connection.close()


def main() -> int:
    os.environ["TZ"] = "UTC"  # pyspark turns TIMESTAMPs into the Python process's local time
    os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"  # Spark's driver listens on loopback only
    time.tzset()
    if shutil.which("java") is None:
        print("error: spark-check needs a Java runtime: apt-get install default-jre-headless", file=sys.stderr)
        return 2
    try:
        import pyspark
    except ImportError:
        print("error: spark-check needs pyspark: pip install --group spark", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="spark-check-"))
    try:
        started = time.monotonic()
        store = work / "history.duckdb"
        with serve_in_thread(create_app()) as url:
            synced = asyncio.run(sync_mock(store, url))
        if synced.failures:
            print(f"error: the sync of the mock failed: {synced.failures[0]}", file=sys.stderr)
            return 1
        with create_store(store, schema=False) as connection:
            add_synthetic_rows(connection, SYNTHETIC_RUNS, SYNTHETIC_TESTS)
        with open_store(store) as connection:
            written = write_dataset(connection, work / "dataset")
            duck = {name: flaky_metrics(connection, filters) for name, filters in CASES.items()}
        print(f"store from the mock: {synced.line()}")
        print("dataset: " + ", ".join(f"{t.table} {t.rows} rows in {t.partitions} partitions" for t in written))
        spark = spark_session()
        spark.sparkContext.setLogLevel("ERROR")
        failed = False
        try:
            for name, filters in CASES.items():
                found = differences(duck[name], spark_metrics(spark, work / "dataset", filters))
                verdict = "equal" if not found else f"{len(found)} differences"
                print(f"{name}: {len(duck[name])} tests on DuckDB and on Spark {pyspark.__version__}: {verdict}")
                for line in found[:20]:
                    print(f"  {line}")
                failed = failed or bool(found) or not duck[name]
            flipping = [m for m in duck["every test"] if m.same_commit_flips and m.flip_rate]
            print(f"tests with same-commit flips and a flip rate compared: {len(flipping)}")
            failed = failed or not flipping
        finally:
            spark.stop()
        print(f"spark-check: {'FAILED' if failed else 'passed'} in {time.monotonic() - started:.0f} s")
        return 1 if failed else 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
