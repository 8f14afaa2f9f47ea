"""Sync benchmark: `currents-api sync` of a project against raw httpx, and its peak memory as the project grows.

The mock runs in its own process with a generated run (`MOCK_RUN_SIZE`): its project holds that one run. The
sync (`history.sync_projects` at concurrency 16, into a fresh DuckDB store each time: every instance decoded,
`iter_tests`, one transaction) is timed against a plain `httpx.AsyncClient` that sends the same GET requests
(the project, its runs, the run, its instances 16 at a time, the Tests Explorer's pages) and only `json.loads`
them; each is the median of the runs, taken in turn in one process. Memory: for a project of 100 and one of
1,000 instances, each synced in a fresh process, the peak of Python allocations (tracemalloc) and the peak
resident set size (which also holds DuckDB's own memory, the interpreter and every import).
"""

from __future__ import annotations

import asyncio
import datetime as dt
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
from currents_api_client import AuthenticatedClient
from currents_api_client.lib.history import open_store, resolve_projects, sync_projects

from bench.export import demo_key, mock_with_run
from contract_tests.mock_api.generated_run import DEFAULT_RUN_ID, RUN_TEMPLATE
from kit._cli import ROOT

PROJECT_ID = json.loads(RUN_TEMPLATE.read_text(encoding="utf-8"))["data"]["projectId"]


async def sync_project(base_url: str, key: str, store: Path, concurrency: int) -> int:
    """`currents-api sync PROJECT_ID --db STORE`, without the CLI's argument parsing; returns the instances read."""
    async with AuthenticatedClient(token=key, base_url=base_url) as client:
        projects = await resolve_projects(client, [PROJECT_ID])
        connection = open_store(store)
        try:
            summary = await sync_projects(connection, client, projects, concurrency=concurrency)
        finally:
            connection.close()
    assert not summary.failures, summary.failures
    return summary.instances_read


async def raw_sync(base_url: str, key: str, concurrency: int) -> int:
    """The same GET requests with plain httpx and json.loads, nothing else."""
    gate = asyncio.Semaphore(concurrency)
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=30.0) as client:

        async def get(path: str, **params: Any) -> Any:
            response = await client.get(path, params=params)
            response.raise_for_status()
            return json.loads(response.content)

        project = await get(f"/projects/{PROJECT_ID}")
        listing = await get(f"/projects/{PROJECT_ID}/runs", limit=50)
        run = await get(f"/runs/{DEFAULT_RUN_ID}")
        assert project["data"] and listing["data"]

        async def one(instance_id: str) -> None:
            async with gate:
                await get(f"/instances/{instance_id}")

        ids = [spec["instanceId"] for spec in run["data"]["specs"] if spec.get("claimedAt")]
        await asyncio.gather(*(one(i) for i in ids))
        start = run["data"]["createdAt"]
        end = dt.datetime.now(dt.UTC).isoformat()
        page: int | bool = 0
        while page is not False:
            tests = await get(f"/tests/{PROJECT_ID}", date_start=start, date_end=end, limit=50, page=page)
            page = tests["data"]["nextPage"]
        return len(ids)


def throughput(runs: int, size: int, concurrency: int) -> dict[str, Any]:
    key = demo_key()
    seconds: dict[str, list[float]] = {"sync": [], "httpx": []}
    with mock_with_run(size) as base_url, tempfile.TemporaryDirectory() as folder:
        asyncio.run(raw_sync(base_url, key, concurrency))  # warm up the mock
        for index in range(runs):
            start = time.perf_counter()
            asyncio.run(raw_sync(base_url, key, concurrency))
            seconds["httpx"].append(time.perf_counter() - start)
            start = time.perf_counter()
            read = asyncio.run(sync_project(base_url, key, Path(folder) / f"h{index}.duckdb", concurrency))
            seconds["sync"].append(time.perf_counter() - start)
            assert read == size, read
    per_second = {name: size / statistics.median(values) for name, values in seconds.items()}
    return {
        "instances": size,
        "concurrency": concurrency,
        "instances_per_second": {name: round(value, 1) for name, value in per_second.items()},
        "sync_x_httpx_throughput": round(per_second["sync"] / per_second["httpx"], 2),
    }


def peak_memory(size: int) -> tuple[float, float]:
    """Peak traced megabytes and peak RSS of one sync of a project of `size` instances, in a fresh process."""
    with mock_with_run(size) as base_url:
        completed = subprocess.run(
            [sys.executable, "-m", "bench.sync", base_url, demo_key()],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
    traced, rss = completed.stdout.split()
    return float(traced), float(rss)


def run(runs: int, size: int = 1000, small: int = 100, concurrency: int = 16) -> dict[str, Any]:
    results = throughput(runs, size, concurrency)
    (small_traced, small_rss), (large_traced, large_rss) = peak_memory(small), peak_memory(size)
    results["peak_megabytes"] = {str(small): round(small_traced, 1), str(size): round(large_traced, 1)}
    results["peak_large_x_small"] = round(large_traced / small_traced, 2)
    results["peak_rss_megabytes"] = {str(small): round(small_rss, 1), str(size): round(large_rss, 1)}
    results["peak_rss_large_x_small"] = round(large_rss / small_rss, 2)
    return results


def _child(base_url: str, key: str) -> None:
    from bench.export import _peak_rss_megabytes

    with tempfile.TemporaryDirectory() as folder:
        tracemalloc.start()
        asyncio.run(sync_project(base_url, key, Path(folder) / "h.duckdb", 16))
        _, peak = tracemalloc.get_traced_memory()
    print(peak / 1e6, _peak_rss_megabytes())


if __name__ == "__main__":
    _child(sys.argv[1], sys.argv[2])
