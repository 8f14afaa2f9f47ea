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
import sys
import tempfile
import tracemalloc
from pathlib import Path
from typing import Any

import httpx
from currents_api_client import AuthenticatedClient
from currents_api_client.lib.history import open_store, resolve_projects, sync_projects

from bench.side_by_side import child_peaks, growth, peak_rss_megabytes, throughput
from contract_tests.mock_api.generated_run import DEFAULT_RUN_ID, RUN_TEMPLATE

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


def run(runs: int, size: int = 1000, small: int = 100, concurrency: int = 16) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:

        def sync(url: str, key: str, index: int) -> None:
            read = asyncio.run(sync_project(url, key, Path(folder) / f"h{index}.duckdb", concurrency))
            assert read == size, read

        raw = {"httpx": lambda url, key, _: asyncio.run(raw_sync(url, key, concurrency))}
        results = throughput(runs, size, concurrency, {"sync": sync, **raw})
    (small_traced, small_rss), (large_traced, large_rss) = (child_peaks("bench.sync", n) for n in (small, size))
    growth(results, "peak", (small, size), (small_traced, large_traced))
    growth(results, "peak_rss", (small, size), (small_rss, large_rss))
    return results


def _child(base_url: str, key: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        tracemalloc.start()
        asyncio.run(sync_project(base_url, key, Path(folder) / "h.duckdb", 16))
        _, peak = tracemalloc.get_traced_memory()
    print(peak / 1e6, peak_rss_megabytes())


if __name__ == "__main__":
    _child(sys.argv[1], sys.argv[2])
