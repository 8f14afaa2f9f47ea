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
import json
import sys
import tempfile
import tracemalloc
from pathlib import Path
from typing import Any

import httpx
from currents_api_client import AuthenticatedClient, RecordWriter, astream_run

from bench.side_by_side import child_peaks, growth, peak_rss_megabytes, throughput
from contract_tests.mock_api.generated_run import DEFAULT_RUN_ID


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


_RUN_PEAK = 0


def run(runs: int, size: int = 1000, small: int = 100, concurrency: int = 16) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        results = throughput(
            runs,
            size,
            concurrency,
            {
                "export": lambda url, key, _: asyncio.run(export_run(url, key, Path(folder) / "x.jsonl", concurrency)),
                "httpx": lambda url, key, _: asyncio.run(raw_run(url, key, concurrency)),
            },
        )
    (small_whole, small_streaming, small_rss), (large_whole, large_streaming, large_rss) = (
        child_peaks("bench.export", small),
        child_peaks("bench.export", size),
    )
    growth(results, "peak", (small, size), (small_whole, large_whole))
    growth(results, "streaming_peak", (small, size), (small_streaming, large_streaming))
    growth(results, "peak_rss", (small, size), (small_rss, large_rss))
    return results


def _child(base_url: str, key: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        tracemalloc.start()
        asyncio.run(export_run(base_url, key, Path(folder) / "run.jsonl", 16, trace=True))
        _, streaming = tracemalloc.get_traced_memory()
    print(max(_RUN_PEAK, streaming) / 1e6, streaming / 1e6, peak_rss_megabytes())


if __name__ == "__main__":
    _child(sys.argv[1], sys.argv[2])
