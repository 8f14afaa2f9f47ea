"""`fetch_run`, `afetch_run` and `astream_run` against the mock serving a generated run on loopback."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from currents_api_client import (
    AuthenticatedClient,
    InstanceResult,
    RunProgress,
    afetch_run,
    astream_run,
    fetch_run,
    iter_tests,
)
from currents_api_client.errors import NotFoundError
from currents_api_client.lib.runs import AdaptiveLimit
from currents_api_client.models import InstanceResponse

from contract_tests.conftest import demo_key
from contract_tests.mock_api.app import create_app
from contract_tests.mock_api.generated_run import GeneratedRun, serve_generated_run
from contract_tests.mock_api.server import serve_in_thread


def served(run: GeneratedRun, rate_limit_every: int = 0) -> Iterator[str]:
    with serve_in_thread(
        serve_generated_run(create_app(), run, [demo_key()], rate_limit_every=rate_limit_every)
    ) as url:
        yield url


@pytest.fixture(scope="module")
def run() -> GeneratedRun:
    return GeneratedRun.build(7, unclaimed=2, missing=1)


@pytest.fixture(scope="module")
def base_url(run: GeneratedRun) -> Iterator[str]:
    yield from served(run)


def client_for(base_url: str, **settings: object) -> AuthenticatedClient:
    return AuthenticatedClient(base_url=base_url, token=demo_key(), **settings)  # type: ignore[arg-type]


def expected_records(run: GeneratedRun) -> list[tuple[str, tuple[str, ...], str]]:
    return [
        (r.instance_id, r.title, r.state)
        for instance_id in run.claimed_ids
        for r in iter_tests(InstanceResponse.from_dict(json.loads(run.instances[instance_id])).data)
    ]


def test_fetch_run_returns_the_run_its_instances_in_spec_order_and_every_record(
    base_url: str, run: GeneratedRun
) -> None:
    fetched = fetch_run(run.run_id, client=client_for(base_url), concurrency=3)

    assert fetched.run.run_id == run.run_id
    assert [i.instance_id for i in fetched.instances] == run.claimed_ids
    assert [(r.instance_id, r.title, r.state) for r in fetched.records] == expected_records(run)
    assert [s.instance_id for s in fetched.unclaimed] == run.unclaimed_ids
    (failure,) = fetched.failures
    assert failure.instance_id == run.missing_ids[0]
    assert "404" in failure.reason and "Instance not found" in failure.reason
    assert run.missing_ids[0] in str(failure)


def test_afetch_run_gives_what_fetch_run_gives(base_url: str, run: GeneratedRun) -> None:
    fetched = asyncio.run(afetch_run(run.run_id, client=client_for(base_url)))
    assert [r.to_dict() for r in fetched.records] == [
        r.to_dict() for r in fetch_run(run.run_id, client=client_for(base_url)).records
    ]


def test_unclaimed_instances_are_not_requested(run: GeneratedRun) -> None:
    fresh = GeneratedRun.build(3, unclaimed=4)
    for url in served(fresh):
        fetched = fetch_run(fresh.run_id, client=client_for(url))
    assert fresh.instance_requests == 3 and len(fetched.unclaimed) == 4


def test_the_stream_yields_each_instance_with_its_records_and_reports_progress(
    base_url: str, run: GeneratedRun
) -> None:
    seen: list[RunProgress] = []

    async def consume() -> list[InstanceResult]:
        stream = await astream_run(run.run_id, client=client_for(base_url), concurrency=2, on_progress=seen.append)
        assert stream.run.run_id == run.run_id
        async with stream:
            return [result async for result in stream]

    results = asyncio.run(consume())
    assert sorted(r.instance_id for r in results) == sorted(run.claimed_ids + run.unclaimed_ids + run.missing_ids)
    assert {r.status for r in results} == {"fetched", "unclaimed", "failed"}
    for result in results:
        assert (result.instance is not None) == (result.status == "fetched")
        if result.instance is not None:
            assert list(result.records) == list(iter_tests(result.instance))
    assert [p.done for p in seen] == list(range(len(results) + 1))
    assert (seen[-1].fetched, seen[-1].unclaimed, seen[-1].failed) == (7, 2, 1)


def test_rate_limits_lower_the_concurrency_and_every_instance_still_arrives() -> None:
    busy = GeneratedRun.build(24)
    seen: list[RunProgress] = []
    for url in served(busy, rate_limit_every=4):
        fetched = fetch_run(busy.run_id, client=client_for(url, max_retries=5), concurrency=8, on_progress=seen.append)
    assert fetched.failures == [] and len(fetched.instances) == 24
    assert seen[-1].rate_limited >= 6
    assert min(p.concurrency for p in seen) < 8


def test_a_run_that_cannot_be_fetched_raises_the_typed_error(base_url: str) -> None:
    with pytest.raises(NotFoundError):
        fetch_run("no-such-run", client=client_for(base_url))


def test_the_adaptive_limit_halves_on_rate_limits_and_recovers_after_successes() -> None:
    async def scenario() -> list[int]:
        limit = AdaptiveLimit(8)
        seen = [limit.limit]
        limit.rate_limit_seen()
        limit.rate_limit_seen()
        seen.append(limit.limit)
        for _ in range(8 * 3):
            async with limit:
                pass
        seen.append(limit.limit)
        for _ in range(5):
            limit.rate_limit_seen()
        seen.append(limit.limit)
        return seen

    assert asyncio.run(scenario()) == [8, 2, 5, 1]
    with pytest.raises(ValueError, match="at least 1"):
        AdaptiveLimit(0)


def test_at_most_the_limit_is_in_flight() -> None:
    async def scenario() -> int:
        limit = AdaptiveLimit(3)
        active = peak = 0

        async def job() -> None:
            nonlocal active, peak
            async with limit:
                active += 1
                peak = max(peak, active)
                await asyncio.sleep(0)
                active -= 1

        await asyncio.gather(*(job() for _ in range(20)))
        return peak

    assert asyncio.run(scenario()) == 3


def test_without_a_client_the_key_and_url_come_from_the_environment(
    base_url: str, run: GeneratedRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CURRENTS_API_KEY", demo_key())
    monkeypatch.setenv("CURRENTS_API_URL", base_url)
    assert len(fetch_run(run.run_id).instances) == len(run.claimed_ids)


def test_fetch_run_inside_a_running_loop_says_to_await_afetch_run_and_leaves_no_coroutine() -> None:
    import gc
    import warnings

    from currents_api_client import download_artifacts, fetch_run

    async def in_a_notebook() -> tuple[str, str]:
        with pytest.raises(RuntimeError) as run_error:
            fetch_run("any-run")
        with pytest.raises(RuntimeError) as download_error:
            download_artifacts([], Path("unused"))
        return str(run_error.value), str(download_error.value)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        run_message, download_message = asyncio.run(in_a_notebook())
        gc.collect()
    assert run_message == (
        "fetch_run() cannot run inside a running event loop (a notebook, an async app): use `await afetch_run(...)`"
    )
    assert "use `await adownload_artifacts(...)`" in download_message
    assert not [w for w in caught if "never awaited" in str(w.message)]
