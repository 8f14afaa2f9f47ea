# Hand-written, not generated: `make generate` never touches currents_api_client/lib/ (see lib/__init__.py).
"""Fetch a whole run: the run, then every claimed instance concurrently, with their test records.

- `afetch_run(run_id)` (async) and `fetch_run(run_id)` (sync) return a `FetchedRun`: the
  run, its instances in the run's spec order, every `TestRecord`, the unclaimed specs and the
  failures. `fetch_run` runs its own event loop (`asyncio.run`), so call `afetch_run` where a loop is
  already running (a notebook: `await afetch_run(...)`).
- `astream_run(run_id, client=...)` fetches the run and returns a `RunStream`: its `run`, and an
  async iterator of `InstanceResult`s in the order they arrive, each with its records. It holds at
  most a few instances at a time, whatever the run's size: the form for exports and very large runs.

Behaviour:
- At most `concurrency` instance requests are in flight (default 8). Every 429 the API sends (seen
  below the client's retry layer, which backs off as `Retry-After` asks) halves the limit, down to
  1; after `concurrency` successes in a row it grows by one again, up to `concurrency`.
- A spec without `claimedAt` has no results yet: it is reported as `unclaimed`, not fetched.
- A failed instance (any `CurrentsError`, after the client's own retries) is collected with its id and
  the one-line reason; the other instances are not lost. Failing to fetch the run itself raises.
- `on_progress(RunProgress)` is called once before the first instance and after each one.
- A `RunStream` built directly (the history sync does) may stream only some of the run's `specs`, and with
  `owns_client=False` leaves the client open when it closes, for the next run to use.
- `client` is optional: without one, `AuthenticatedClient.from_env()` (`CURRENTS_API_KEY`, and
  `CURRENTS_API_URL` when set). The client's settings apply (base URL, key, timeout, retries); a copy
  of it is used, so the caller's own connections are left alone.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Literal, TypeAlias

import httpx
from attrs import evolve

from ..api.instances import get_instance
from ..api.runs import get_run
from ..client import AuthenticatedClient, Client
from ..errors import CurrentsError
from ..models.cypress_run import CypressRun
from ..models.other_framework_run import OtherFrameworkRun
from ..models.playwright_run import PlaywrightRun
from ..models.run_spec import RunSpec
from .records import Instance, TestRecord, iter_tests
from .sync import require_no_running_loop

Run: TypeAlias = CypressRun | PlaywrightRun | OtherFrameworkRun
InstanceStatus: TypeAlias = Literal["fetched", "unclaimed", "failed"]
DEFAULT_CONCURRENCY = 8


@dataclass(frozen=True, slots=True)
class InstanceResult:
    """One spec of the run: its instance and records when fetched, else why not."""

    spec: RunSpec
    status: InstanceStatus
    instance: Instance | None = None
    records: tuple[TestRecord, ...] = ()
    error: str | None = None

    @property
    def instance_id(self) -> str:
        return self.spec.instance_id


@dataclass(frozen=True, slots=True)
class InstanceFailure:
    """An instance that could not be fetched: its id and a one-line reason."""

    instance_id: str
    spec: str
    reason: str

    def __str__(self) -> str:
        return f"instance {self.instance_id} ({self.spec}): {self.reason}"


@dataclass(frozen=True, slots=True)
class RunProgress:
    """Where a run fetch stands."""

    total: int
    done: int
    fetched: int
    unclaimed: int
    failed: int
    concurrency: int
    rate_limited: int


@dataclass(slots=True)
class FetchedRun:
    """A whole run: the run, its fetched instances in spec order, every record, and what was not fetched."""

    run: Run
    instances: list[Instance] = field(default_factory=list)
    records: list[TestRecord] = field(default_factory=list)
    unclaimed: list[RunSpec] = field(default_factory=list)
    failures: list[InstanceFailure] = field(default_factory=list)


class AdaptiveLimit:
    """A concurrency limit that halves on each 429 and creeps back up after a run of successes."""

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError(f"concurrency must be at least 1, not {limit}")
        self.ceiling = limit
        self.limit = limit
        self.active = 0
        self.rate_limited = 0
        self._streak = 0
        self._changed = asyncio.Condition()

    async def __aenter__(self) -> AdaptiveLimit:
        async with self._changed:
            await self._changed.wait_for(lambda: self.active < self.limit)
            self.active += 1
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        async with self._changed:
            self.active -= 1
            if kind is None:
                self._streak += 1
                if self._streak >= self.ceiling and self.limit < self.ceiling:
                    self.limit += 1
                    self._streak = 0
            self._changed.notify_all()

    def rate_limit_seen(self) -> None:
        self.rate_limited += 1
        self.limit = max(1, self.limit // 2)
        self._streak = 0


class _RateLimitWatch(httpx.AsyncBaseTransport):
    """Passes every request through, and tells the limit about each 429, retried or not."""

    def __init__(self, inner: httpx.AsyncBaseTransport, limit: AdaptiveLimit) -> None:
        self.inner = inner
        self.limit = limit

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if response.status_code == 429:
            self.limit.rate_limit_seen()
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


def watched_client(client: AuthenticatedClient | Client, limit: AdaptiveLimit) -> AuthenticatedClient | Client:
    """A copy of `client` whose every 429 tells `limit` to halve (on a transport of its own)."""
    args = dict(client._httpx_args)
    inner = args.pop("transport", None) or httpx.AsyncHTTPTransport(verify=client._verify_ssl)
    if not isinstance(inner, httpx.AsyncBaseTransport):
        raise TypeError("the client's httpx_args transport is not an async transport")
    return evolve(client, httpx_args={**args, "transport": _RateLimitWatch(inner, limit)})


def _is_claimed(spec: RunSpec) -> bool:
    return spec.claimed_at is not None


def _reason(error: CurrentsError) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


class RunStream:
    """The run, and its instances as they arrive (`async for result in stream`). Close it, or use `async with`."""

    def __init__(
        self,
        run: Run,
        client: AuthenticatedClient | Client,
        limit: AdaptiveLimit,
        on_progress: Callable[[RunProgress], None] | None,
        *,
        specs: Sequence[RunSpec] | None = None,
        owns_client: bool = True,
    ) -> None:
        self.run = run
        chosen = run.specs if specs is None else specs
        self.specs: list[RunSpec] = [] if chosen is None else list(chosen)
        self._client = client
        self._owns_client = owns_client
        self._limit = limit
        self._on_progress = on_progress
        self._counts = {"fetched": 0, "unclaimed": 0, "failed": 0}
        self._results: asyncio.Queue[InstanceResult | BaseException] = asyncio.Queue(maxsize=limit.ceiling * 2)
        self._tasks: list[asyncio.Task[None]] = []
        self._started = False

    @property
    def progress(self) -> RunProgress:
        done = sum(self._counts.values())
        return RunProgress(
            total=len(self.specs),
            done=done,
            fetched=self._counts["fetched"],
            unclaimed=self._counts["unclaimed"],
            failed=self._counts["failed"],
            concurrency=self._limit.limit,
            rate_limited=self._limit.rate_limited,
        )

    def _start(self) -> None:
        self._started = True
        pending: asyncio.Queue[RunSpec] = asyncio.Queue()
        for spec in self.specs:
            pending.put_nowait(spec)
        if self._on_progress is not None:
            self._on_progress(self.progress)
        workers = min(self._limit.ceiling, len(self.specs))
        self._tasks = [asyncio.create_task(self._work(pending)) for _ in range(workers)]

    async def _fetch(self, spec: RunSpec) -> InstanceResult:
        if not _is_claimed(spec):
            return InstanceResult(spec, "unclaimed")
        try:
            async with self._limit:
                response = await get_instance.asyncio(spec.instance_id, client=self._client)
        except CurrentsError as error:
            return InstanceResult(spec, "failed", error=_reason(error))
        instance = response.data
        return InstanceResult(spec, "fetched", instance, tuple(iter_tests(instance)))

    async def _work(self, pending: asyncio.Queue[RunSpec]) -> None:
        try:
            while not pending.empty():
                await self._results.put(await self._fetch(pending.get_nowait()))
        except asyncio.CancelledError:
            raise
        except Exception as error:  # handed to the consumer, which re-raises it
            await self._results.put(error)
            raise

    def __aiter__(self) -> AsyncIterator[InstanceResult]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[InstanceResult]:
        if self._started:
            raise RuntimeError("a RunStream can be iterated once")
        self._start()
        try:
            for _ in range(len(self.specs)):
                item = await self._results.get()
                if isinstance(item, BaseException):
                    raise item
                self._counts[item.status] += 1
                if self._on_progress is not None:
                    self._on_progress(self.progress)
                yield item
        finally:
            await self.aclose()

    async def aclose(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        if self._owns_client:
            await self._client.get_async_httpx_client().aclose()

    async def __aenter__(self) -> RunStream:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        await self.aclose()


async def astream_run(
    run_id: str,
    *,
    client: AuthenticatedClient | Client | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
    on_progress: Callable[[RunProgress], None] | None = None,
) -> RunStream:
    """Fetch the run now; its instances arrive as the returned stream is iterated. Raises a `CurrentsError`
    when the run itself cannot be fetched."""
    limit = AdaptiveLimit(concurrency)
    watched = watched_client(client if client is not None else AuthenticatedClient.from_env(), limit)
    try:
        run = (await get_run.asyncio(run_id, client=watched)).data
    except BaseException:
        await watched.get_async_httpx_client().aclose()
        raise
    # Decoding a large run leaves reference cycles behind (the union decoder keeps each refused variant's
    # exception, and with it the frames that held the run's JSON). Free them now, once, rather than carry them
    # while the instances stream in.
    gc.collect()
    return RunStream(run, watched, limit, on_progress)


async def afetch_run(
    run_id: str,
    *,
    client: AuthenticatedClient | Client | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
    on_progress: Callable[[RunProgress], None] | None = None,
) -> FetchedRun:
    """The whole run: every claimed instance and its records, the unclaimed specs and the failures."""
    stream = await astream_run(run_id, client=client, concurrency=concurrency, on_progress=on_progress)
    by_spec: dict[int, InstanceResult] = {}
    async with stream:
        async for result in stream:
            by_spec[id(result.spec)] = result
    fetched = FetchedRun(stream.run)
    for spec in stream.specs:
        result = by_spec[id(spec)]
        if result.instance is not None:
            fetched.instances.append(result.instance)
            fetched.records.extend(result.records)
        elif result.status == "unclaimed":
            fetched.unclaimed.append(spec)
        else:
            fetched.failures.append(InstanceFailure(spec.instance_id, spec.spec, result.error or "failed"))
    return fetched


def fetch_run(
    run_id: str,
    *,
    client: AuthenticatedClient | Client | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
    on_progress: Callable[[RunProgress], None] | None = None,
) -> FetchedRun:
    """`afetch_run` from synchronous code, on an event loop of its own. Raises `RuntimeError` where an event loop
    is already running (a notebook): there, `await afetch_run(...)`."""
    require_no_running_loop("fetch_run()", "await afetch_run(...)")
    return asyncio.run(afetch_run(run_id, client=client, concurrency=concurrency, on_progress=on_progress))


def records_of(results: Sequence[InstanceResult]) -> list[TestRecord]:
    """Every record of `results`, in their order."""
    return [record for result in results for record in result.records]
