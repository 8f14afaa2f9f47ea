"""`currents-api flaky` over a million test rows, with DuckDB's own scan of the same table as the floor.

The store holds one made-up project of 1,000 runs x 1,000 tests (scripts/history/synthetic.py's
`add_synthetic_rows`, the rows DuckDB makes itself). Measured, as medians of `runs`:
- `scan`: DuckDB reading the columns the metrics read (`min` of each: every value is read, nothing kept);
- `group_by`: one `COUNT(*)` per test, the least any per-test metric needs;
- `metrics`: flaky_metrics.sql through `history.metrics.flaky_metrics`, rows decoded into `TestMetrics`;
- `cli`: `currents-api flaky --format json` end to end (a process: start, open, query, write), once per run.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from currents_api_client.lib.history.metrics import Filters, flaky_metrics, open_store

from scripts.history.synthetic import add_synthetic_rows, create_store

SCAN = "SELECT min(project_id), min(spec), min(title), min(state), min(commit_sha), min(created_at), min(run_id), min(instance_id) FROM tests"  # noqa: E501
GROUP_BY = (
    "SELECT project_id, spec, title, COUNT(*) FROM tests WHERE state IN ('passed', 'failed', 'flaky') GROUP BY ALL"
)


def _median(runs: int, step: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run(runs: int, run_count: int = 1000, tests: int = 1000) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-flaky-") as folder:
        path = Path(folder) / "history.duckdb"
        with create_store(path) as writer:
            rows = add_synthetic_rows(writer, run_count, tests)
        script = Path(sys.executable).with_name("currents-api")
        with open_store(path) as connection:
            found = len(flaky_metrics(connection, Filters()))
            scan = _median(runs, lambda: connection.execute(SCAN).fetchall())
            group_by = _median(runs, lambda: connection.execute(GROUP_BY).fetchall())
            metrics = _median(runs, lambda: flaky_metrics(connection, Filters()))
        cli = _median(
            runs,
            lambda: subprocess.run(
                [script, "flaky", "--db", str(path), "--format", "json"], stdout=subprocess.DEVNULL, check=True
            ),
        )
    return {
        "rows": rows,
        "tests": found,
        "median_seconds": {"scan": scan, "group_by": group_by, "metrics": metrics, "cli": cli},
        "metrics_x_scan": metrics / scan,
        "metrics_x_group_by": metrics / group_by,
    }


def lines(result: dict[str, Any]) -> list[str]:
    seconds = result["median_seconds"]
    return [
        "",
        f"Flaky ({result['rows']:,} test rows, {result['tests']:,} tests; median)",
        f"    DuckDB scan {seconds['scan'] * 1000:8.1f} ms   group by test {seconds['group_by'] * 1000:8.1f} ms"
        f"   metrics {seconds['metrics'] * 1000:8.1f} ms ({result['metrics_x_scan']:.1f}x the scan,"
        f" {result['metrics_x_group_by']:.1f}x the group by)   currents-api flaky {seconds['cli']:6.2f} s",
    ]
