"""Helpers of the history tests: a small mock world on loopback behind a wrapper that counts, alters or ends
the requests it serves, an in-process sync, and the rows of a store in a form two stores can be compared in."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import signal
import threading
from collections.abc import Iterator, MutableMapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
from currents_api_client import AuthenticatedClient
from currents_api_client.lib.history import open_store, resolve_projects, sync_projects
from currents_api_client.lib.history.sync import SyncSummary

from contract_tests.conftest import demo_key
from contract_tests.mock_api.app import MockApi
from contract_tests.mock_api.asgi import Receive, Scope, Send
from contract_tests.mock_api.backend import MockBackend
from contract_tests.mock_api.entities import World
from contract_tests.mock_api.generated_run import GeneratedRun, add_to_world
from contract_tests.mock_api.journal import Journal
from contract_tests.mock_api.keys import KEYS_FILE
from contract_tests.mock_api.middleware import send_failed
from contract_tests.mock_api.seed import build_world
from contract_tests.mock_api.server import serve_in_thread

# Two projects of the mock's world: 20 runs, three of them in progress, 54 specs.
PROJECTS = ("Prj9Zb", "DgTfZV")
NEW_FIELD = "fieldCurrentsAddsLater"
KILL_WAIT_SECONDS = 30  # the pid is set right after the process starts, long before its first request


def small_world(project_ids: Sequence[str] = PROJECTS) -> World:
    world = build_world()
    keep = set(project_ids)
    world.projects = {k: v for k, v in world.projects.items() if k in keep}
    world.runs = {k: v for k, v in world.runs.items() if v.project_id in keep}
    world.instances = {k: v for k, v in world.instances.items() if v.project_id in keep}
    return world


def mock_app(world: World | None = None) -> MockApi:
    return MockApi(MockBackend(world if world is not None else small_world()), Journal(), KEYS_FILE, None)


@dataclass
class Wrapper:
    """An ASGI wrapper of the mock: counts every request; optionally SIGKILLs `pid` when the `kill_at`-th request
    arrives (before answering it), and adds an unknown field to the objects of every answer."""

    app: MockApi
    add_fields: bool = False
    kill_at: int = 0
    rate_limit_every: int = 0
    rate_limited: int = 0
    instance_requests: int = 0
    requests: int = 0
    methods: list[str] = field(default_factory=list)
    pid: int | None = None
    pid_set: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def set_pid(self, pid: int) -> None:
        self.pid = pid
        self.pid_set.set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("type") != "http":
            await self.app(scope, receive, send)
            return
        with self._lock:
            self.requests += 1
            count = self.requests
            self.methods.append(str(scope.get("method")))
        if self.kill_at and count == self.kill_at:
            assert self.pid_set.wait(KILL_WAIT_SECONDS)
            assert self.pid is not None
            os.kill(self.pid, signal.SIGKILL)
        if self.rate_limit_every and str(scope.get("path", "")).startswith("/v1/instances/"):
            with self._lock:
                self.instance_requests += 1
                limited = self.instance_requests % self.rate_limit_every == 0
                self.rate_limited += limited
            if limited:
                await send_failed(send, 429, "Too many requests", [(b"retry-after", b"0")])
                return
        if not self.add_fields:
            await self.app(scope, receive, send)
            return
        await self._with_new_fields(scope, receive, send)

    async def _with_new_fields(self, scope: Scope, receive: Receive, send: Send) -> None:
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def capture(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body"):
                    body = json.dumps(with_new_fields(json.loads(b"".join(chunks)))).encode()
                    headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
                    headers.append((b"content-length", str(len(body)).encode()))
                    await send({**start, "headers": headers})
                    await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, capture)


def _add(value: Any) -> None:
    if isinstance(value, dict):
        value[NEW_FIELD] = {"nested": [1, "two"], "since": "2027-01-01T00:00:00Z"}


def with_new_fields(body: Any) -> Any:
    """`body` with an unknown field in the answer, its `data`, each listed item, and a run's or an instance's
    specs, groups, results and tests (never inside a map keyed by test id, where a key is not a field)."""
    _add(body)
    data = body.get("data") if isinstance(body, dict) else None
    items = data if isinstance(data, list) else (data.get("list") if isinstance(data, dict) else None)
    for item in [data, *(items if isinstance(items, list) else [])]:
        _add(item)
        if not isinstance(item, dict):
            continue
        for key in ("specs", "groups"):
            for child in item.get(key) or []:
                _add(child)
        results = item.get("results")
        _add(results)
        if isinstance(results, dict):
            for test in results.get("tests") or []:
                _add(test)
    return body


def add_run(
    world: World, project_id: str, size: int, created: dt.datetime, run_id: str, unclaimed: int = 0, missing: int = 0
) -> GeneratedRun:
    """A finished run of `size` claimed instances (and `unclaimed` specs, and `missing` ones the mock answers 404
    for), created at `created`, added to `project_id` of `world`."""
    run = GeneratedRun.build(size, run_id=run_id, unclaimed=unclaimed, missing=missing)
    body = json.loads(run.body)
    body["data"].update(projectId=project_id, createdAt=created.strftime("%Y-%m-%dT%H:%M:%S.000Z"))
    run.body = json.dumps(body).encode()
    for instance_id, raw in list(run.instances.items()):
        instance = json.loads(raw)
        instance["data"]["projectId"] = project_id
        run.instances[instance_id] = json.dumps(instance).encode()
    add_to_world(world, run)
    return run


@contextmanager
def serve(wrapper: Wrapper) -> Iterator[str]:
    with serve_in_thread(wrapper) as url:
        yield url


def sync_into(
    path: Path, url: str, project_ids: Sequence[str] = (), since: dt.datetime | None = None, key: str | None = None
) -> SyncSummary:
    """One sync of `project_ids` (every project when empty) into the store at `path`, in this process."""

    async def run() -> SyncSummary:
        async with AuthenticatedClient(base_url=url, token=key or demo_key()) as client:
            projects = await resolve_projects(client, project_ids)
            connection = open_store(path)
            try:
                return await sync_projects(connection, client, projects, since=since, concurrency=4)
            finally:
                connection.close()

    return asyncio.run(run())


# Columns that say when a row was written, not what it holds.
WHEN = {"synced_at", "last_sync_started_at", "last_sync_finished_at"}


def rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows, sorted, without the columns of `WHEN`, timestamps as text."""
    connection = duckdb.connect(str(path), read_only=True)
    try:
        found = {}
        tables = [t for (t,) in connection.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()]
        for table in tables:
            columns = connection.execute(
                "SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = ? ORDER BY column_index",
                [table],
            ).fetchall()
            chosen = [f"CAST({n} AS VARCHAR)" if "TIME" in t else n for n, t in columns if n not in WHEN]
            found[table] = sorted(connection.execute(f"SELECT {', '.join(chosen)} FROM {table}").fetchall(), key=repr)
        return found
    finally:
        connection.close()


def instance_gets(app: MockApi, since: int = 0) -> list[str]:
    """The instance ids the mock was asked for, in order, from its `since`-th exchange on."""
    return [
        e.ids["instanceId"]
        for e in app.journal.exchanges[since:]
        if e.operation == ("GET", "/v1/instances/{instanceId}")
    ]
