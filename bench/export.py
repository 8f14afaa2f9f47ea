"""Export benchmark: `currents-api run --export` against raw httpx, and its peak memory as the run grows.

The mock runs in its own process with a generated run (`MOCK_RUN_SIZE`, see
`contract_tests.mock_api.generated_run`). Throughput: the export path (`astream_run` at concurrency 16,
`iter_tests`, a JSON Lines `RecordWriter`) against a plain `httpx.AsyncClient` that fetches the same
run and the same instances 16 at a time and only `json.loads` them; each is the median of the runs.
Memory: the peak of Python allocations (tracemalloc) of that export, each size in a fresh process,
for a run of 100 and a run of 1,000 instances: over the whole export, and over the streaming phase
alone (after the run document itself, which grows with the run, has been fetched and decoded); and,
for context, the process's peak resident set size (which includes the interpreter and every import).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

import httpx
from currents_api_client import AuthenticatedClient, RecordWriter, astream_run

from bench.fetch import STARTUP_TIMEOUT, mock_process
from contract_tests.mock_api.generated_run import DEFAULT_RUN_ID
from contract_tests.mock_api.keys import load_keys
from kit._cli import ROOT


def mock_with_run(size: int) -> contextlib.AbstractContextManager[str]:
    """The mock in a subprocess, serving a generated run of `size` instances; yields its base URL."""
    return mock_process({"MOCK_RUN_SIZE": str(size)}, timeout=STARTUP_TIMEOUT * 3)


def demo_key() -> str:
    demo = load_keys().first_with_every_project()
    assert demo is not None
    return demo.value


async def export_run(base_url: str, key: str, target: Path, concurrency: int, *, trace: bool = False) -> int:
    """The export path of `currents-api run --export FILE.jsonl`; returns the number of instances."""
    client = AuthenticatedClient(token=key, base_url=base_url)
    stream = await astream_run(DEFAULT_RUN_ID, client=client, concurrency=concurrency)
    if trace:
        global _RUN_PEAK
        _RUN_PEAK = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
    count = 0
    with RecordWriter(target, "jsonl") as writer:
        async with stream:
            async for result in stream:
                writer.add_all(result.records)
                count += 1
    return count


async def raw_run(base_url: str, key: str, concurrency: int) -> int:
    """The same fetches with plain httpx and json.loads, nothing else."""
    gate = asyncio.Semaphore(concurrency)
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=30.0) as client:
        run = json.loads((await client.get(f"/runs/{DEFAULT_RUN_ID}")).content)

        async def one(instance_id: str) -> None:
            async with gate:
                response = await client.get(f"/instances/{instance_id}")
                response.raise_for_status()
                json.loads(response.content)

        ids = [spec["instanceId"] for spec in run["data"]["specs"]]
        await asyncio.gather(*(one(i) for i in ids))
        return len(ids)


def throughput(runs: int, size: int, concurrency: int) -> dict[str, Any]:
    key = demo_key()
    seconds: dict[str, list[float]] = {"export": [], "httpx": []}
    with mock_with_run(size) as base_url, tempfile.TemporaryDirectory() as folder:
        asyncio.run(raw_run(base_url, key, concurrency))  # warm up the mock
        for _ in range(runs):
            start = time.perf_counter()
            asyncio.run(raw_run(base_url, key, concurrency))
            seconds["httpx"].append(time.perf_counter() - start)
            start = time.perf_counter()
            asyncio.run(export_run(base_url, key, Path(folder) / "run.jsonl", concurrency))
            seconds["export"].append(time.perf_counter() - start)
    per_second = {name: size / statistics.median(values) for name, values in seconds.items()}
    return {
        "instances": size,
        "concurrency": concurrency,
        "instances_per_second": {name: round(value, 1) for name, value in per_second.items()},
        "export_x_httpx_throughput": round(per_second["export"] / per_second["httpx"], 2),
    }


_RUN_PEAK = 0


def peak_memory(size: int) -> tuple[float, float, float]:
    """Peak traced megabytes of one export of a run of `size` instances, in a fresh process: over the whole
    export, while the instances stream (after the run document is decoded), and the peak RSS of the process."""
    with mock_with_run(size) as base_url:
        completed = subprocess.run(
            [sys.executable, "-m", "bench.export", base_url, demo_key()],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
    whole, streaming, rss = completed.stdout.split()
    return float(whole), float(streaming), float(rss)


def run(runs: int, size: int = 1000, small: int = 100, concurrency: int = 16) -> dict[str, Any]:
    results = throughput(runs, size, concurrency)
    (small_whole, small_streaming, small_rss), (large_whole, large_streaming, large_rss) = (
        peak_memory(small),
        peak_memory(size),
    )
    results["peak_megabytes"] = {str(small): round(small_whole, 1), str(size): round(large_whole, 1)}
    results["peak_large_x_small"] = round(large_whole / small_whole, 2)
    results["streaming_peak_megabytes"] = {str(small): round(small_streaming, 1), str(size): round(large_streaming, 1)}
    results["streaming_peak_large_x_small"] = round(large_streaming / small_streaming, 2)
    results["peak_rss_megabytes"] = {str(small): round(small_rss, 1), str(size): round(large_rss, 1)}
    results["peak_rss_large_x_small"] = round(large_rss / small_rss, 2)
    return results


def _child(base_url: str, key: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        tracemalloc.start()
        asyncio.run(export_run(base_url, key, Path(folder) / "run.jsonl", 16, trace=True))
        _, streaming = tracemalloc.get_traced_memory()
    print(max(_RUN_PEAK, streaming) / 1e6, streaming / 1e6, _peak_rss_megabytes())


def _peak_rss_megabytes() -> float:
    """This process's peak resident set size (VmHWM; unlike ru_maxrss it does not carry over the parent's
    through fork and exec), or 0 where /proc is missing."""
    status = Path("/proc/self/status")
    if not status.exists():
        return 0.0
    line = next((line for line in status.read_text().splitlines() if line.startswith("VmHWM:")), "VmHWM: 0 kB")
    return int(line.split()[1]) / 1024


if __name__ == "__main__":
    _child(sys.argv[1], sys.argv[2])
