"""Fetch benchmark: the throughput of the async client against raw httpx, over HTTP from the mock.

The mock runs in its own process (so that the server and the clients do not share a GIL) and holds every
fixture. Each run fetches `requests` instances, cycling through the mock's instances, `concurrency` at a time:
once with the generated client's `get_instance.asyncio` (retry layer, typed models), once with a plain
`httpx.AsyncClient.get` and `json.loads`. The throughput is the median of the runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import httpx
from currents_api_client import AuthenticatedClient
from currents_api_client.api.instances import get_instance

from contract_tests.mock_api.corpus import load_instances
from contract_tests.mock_api.keys import load_keys
from kit._cli import ROOT

STARTUP_TIMEOUT = 20.0


@contextlib.contextmanager
def mock_process(extra_env: dict[str, str] | None = None, timeout: float = STARTUP_TIMEOUT) -> Iterator[str]:
    """The mock in a subprocess on a free port, with `extra_env` (e.g. MOCK_RUN_SIZE); yields its base URL once
    its banner is complete, and stops it on exit."""
    with tempfile.TemporaryFile("w+") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "contract_tests.mock_api"],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "MOCK_PORT": "0", "MOCK_API_KEY": "", **(extra_env or {})},
        )
        try:
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                log.seek(0)
                text = log.read()
                if "Press Ctrl-C" in text:
                    url = next(line for line in text.splitlines() if line.startswith("Mock Currents API on "))
                    yield url.removeprefix("Mock Currents API on ").strip()
                    return
                if process.poll() is not None:
                    break
                time.sleep(0.05)
            log.seek(0)
            raise RuntimeError(f"the mock did not start: {log.read()[-500:]}")
        finally:
            process.terminate()
            process.wait(10)


async def timed(fetch_one: Callable[[str], Awaitable[Any]], ids: list[str], concurrency: int) -> float:
    gate = asyncio.Semaphore(concurrency)

    async def one(instance_id: str) -> None:
        async with gate:
            await fetch_one(instance_id)

    start = time.perf_counter()
    await asyncio.gather(*(one(i) for i in ids))
    return time.perf_counter() - start


async def client_run(base_url: str, key: str, ids: list[str], concurrency: int) -> float:
    async with AuthenticatedClient(token=key, base_url=base_url) as client:

        async def fetch(instance_id: str) -> Any:
            return await get_instance.asyncio(instance_id, client=client)

        return await timed(fetch, ids, concurrency)


async def httpx_run(base_url: str, key: str, ids: list[str], concurrency: int) -> float:
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=30.0) as client:

        async def fetch(instance_id: str) -> Any:
            response = await client.get(f"/instances/{instance_id}")
            response.raise_for_status()
            return json.loads(response.content)

        return await timed(fetch, ids, concurrency)


def run(runs: int, requests: int, concurrency: int) -> dict[str, Any]:
    demo = load_keys().first_with_every_project()
    assert demo is not None
    known = sorted(i.decode() for i in load_instances())
    ids = [known[n % len(known)] for n in range(requests)]
    seconds: dict[str, list[float]] = {"client": [], "httpx": []}
    with mock_process() as base_url:
        asyncio.run(httpx_run(base_url, demo.value, ids[:concurrency], concurrency))  # warm up the mock
        for _ in range(runs):
            seconds["httpx"].append(asyncio.run(httpx_run(base_url, demo.value, ids, concurrency)))
            seconds["client"].append(asyncio.run(client_run(base_url, demo.value, ids, concurrency)))
    per_second = {name: requests / statistics.median(values) for name, values in seconds.items()}
    return {
        "requests": requests,
        "concurrency": concurrency,
        "instances_per_second": {name: round(value, 1) for name, value in per_second.items()},
        "client_x_httpx_throughput": round(per_second["client"] / per_second["httpx"], 2),
    }
