"""What the export and sync benchmarks share: a mock serving a generated run, the kit's path timed in turn
with plain httpx, and the peak memory of one pass in a fresh process.

- `mock_with_run(size)`: the mock in a subprocess, serving a generated run of `size` instances.
- `throughput(runs, size, paths)`: each named path (a function of the mock's URL, the key and a pass number)
  run in turn `runs` times after one warm-up of the first, the median of each as instances a second, and the
  ratio of the first path to the last (`<first>_x_<last>_throughput`).
- `child_peaks(module, size)`: the numbers `python -m <module> URL KEY` prints (its peaks), in a fresh process.
- `peak_rss_megabytes()`: this process's peak resident set size.
- `growth(results, name, small, large)`: a peak at two sizes and its ratio, added to `results`.
"""

from __future__ import annotations

import contextlib
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.fetch import STARTUP_TIMEOUT, mock_process
from contract_tests.mock_api.keys import load_keys
from kit._cli import ROOT

# A path a benchmark times: called with the mock's URL, the key and the pass number (-1 for the warm-up).
TimedPath = Callable[[str, str, int], object]


def mock_with_run(size: int) -> contextlib.AbstractContextManager[str]:
    """The mock in a subprocess, serving a generated run of `size` instances; yields its base URL."""
    return mock_process({"MOCK_RUN_SIZE": str(size)}, timeout=STARTUP_TIMEOUT * 3)


def demo_key() -> str:
    demo = load_keys().first_with_every_project()
    assert demo is not None
    return demo.value


def throughput(runs: int, size: int, concurrency: int, paths: dict[str, TimedPath]) -> dict[str, Any]:
    """`paths` timed in turn against one mock (module docstring); each path returns what it read."""
    key = demo_key()
    seconds: dict[str, list[float]] = {name: [] for name in paths}
    first, last = next(iter(paths)), list(paths)[-1]
    with mock_with_run(size) as base_url:
        paths[last](base_url, key, -1)  # warm up the mock
        for index in range(runs):
            for name, path in paths.items():
                start = time.perf_counter()
                path(base_url, key, index)
                seconds[name].append(time.perf_counter() - start)
    per_second = {name: size / statistics.median(values) for name, values in seconds.items()}
    return {
        "instances": size,
        "concurrency": concurrency,
        "instances_per_second": {name: round(value, 1) for name, value in per_second.items()},
        f"{first}_x_{last}_throughput": round(per_second[first] / per_second[last], 2),
    }


def child_peaks(module: str, size: int) -> list[float]:
    """What `python -m module URL KEY` prints (its peaks, in megabytes), run in a fresh process against a run
    of `size` instances."""
    with mock_with_run(size) as base_url:
        completed = subprocess.run(
            [sys.executable, "-m", module, base_url, demo_key()],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
    return [float(value) for value in completed.stdout.split()]


def peak_rss_megabytes() -> float:
    """This process's peak resident set size (VmHWM; unlike ru_maxrss it does not carry over the parent's
    through fork and exec), or 0 where /proc is missing."""
    status = Path("/proc/self/status")
    if not status.exists():
        return 0.0
    line = next((line for line in status.read_text().splitlines() if line.startswith("VmHWM:")), "VmHWM: 0 kB")
    return int(line.split()[1]) / 1024


def growth(results: dict[str, Any], name: str, sizes: tuple[int, int], peaks: tuple[float, float]) -> None:
    """Add `<name>_megabytes` (the peak at each size) and `<name>_large_x_small` (their ratio) to `results`."""
    results[f"{name}_megabytes"] = {str(size): round(peak, 1) for size, peak in zip(sizes, peaks, strict=True)}
    results[f"{name}_large_x_small"] = round(peaks[1] / peaks[0], 2)
