"""Pipeline benchmark: the wall time of the make targets people and CI run.

`make generate` and `make check-generated` are timed warm (after a first run), as the median of a few
runs. `make test` and `make contract` are timed once each; `make test` runs with `--durations=5`, so
that its five slowest tests are reported too.
"""

from __future__ import annotations

import re
import statistics
import subprocess
import time
from typing import Any

from kit._cli import ROOT

DURATION = re.compile(r"^(\d+\.\d+)s (call|setup|teardown)\s+(\S+)$")


def make(*args: str) -> tuple[float, str]:
    start = time.perf_counter()
    completed = subprocess.run(["make", "--no-print-directory", *args], cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if completed.returncode != 0:
        raise RuntimeError(f"make {' '.join(args)} failed:\n{completed.stdout[-2000:]}{completed.stderr[-2000:]}")
    return elapsed, completed.stdout


def warm_median(target: str, runs: int) -> float:
    make(target)
    return statistics.median(make(target)[0] for _ in range(runs))


def slowest_tests(output: str) -> list[dict[str, Any]]:
    found = [DURATION.match(line.strip()) for line in output.splitlines()]
    return [{"seconds": float(m.group(1)), "phase": m.group(2), "test": m.group(3)} for m in found if m][:5]


def run(runs: int, whole: bool) -> dict[str, Any]:
    results: dict[str, Any] = {
        "generate_seconds": round(warm_median("generate", runs), 2),
        "check_generated_seconds": round(warm_median("check-generated", runs), 2),
    }
    if whole:
        seconds, output = make("test", "PYTEST_ARGS=--durations=5")
        results["test_seconds"] = round(seconds, 1)
        results["slowest_tests"] = slowest_tests(output)
        results["contract_seconds"] = round(make("contract")[0], 1)
    return results
