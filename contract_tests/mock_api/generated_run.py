"""A generated run of any size for the mock: `GET /v1/runs/{runId}` and the instances its specs point to.

Scope: `GeneratedRun.build(size)` makes a Playwright run of `size` claimed specs, plus `unclaimed`
specs that no machine has claimed yet (`claimedAt` null) and `missing` specs whose instance the mock
does not know (404). Each instance is a copy of one of the Playwright fixtures (cycled in order)
with its own `instanceId`, `runId` and spec path; the run is the Playwright run fixture with these
specs. Bodies are serialized once, when the run is built.

`serve_generated_run(app, run, keys)` wraps any ASGI mock application and answers those two paths
itself for the Bearer keys given (401 otherwise), passing every other request through. With
`rate_limit_every=N`, every N-th instance request is answered 429 with `Retry-After: 0`, which is how
a client's back-off and concurrency handling is exercised. With `hold_after=N`, every instance request after the
N-th waits until `run.release()`: a test interrupts a client in the middle of a run, and no scheduling of a busy
machine lets the client finish first.

It serves the CLI's and `fetch_run`'s tests and the export benchmark; it leaves the mock's default world as it
is. `add_to_world(world, run)` instead makes the run an ordinary run of a world, as `make mock` serves it
(`MOCK_RUN_SIZE`): its project is listed, the run is among the project's runs, its instances are the world's,
and every operation (the keys' scopes, either spelling of `Bearer`, cancel, reset, delete) treats it as any run.
"""

from __future__ import annotations

import asyncio
import copy
import datetime as dt
import json
import threading
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from contract_tests.mock_api.asgi import ASGIApp, Receive, Scope, Send
from contract_tests.mock_api.entities import Project, Run, World, instance_from_data, make_cursor, parse_iso
from contract_tests.mock_api.errors import INSTANCE_NOT_FOUND
from contract_tests.mock_api.middleware import UNAUTHORIZED_ERROR, send_failed

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
TEMPLATES = (
    "playwright-v1-flaky-and-skipped.json",
    "playwright-v2-flaky-with-attachments.json",
    "playwright-v2-thrown-value.json",
    "playwright-v2-new-fields.json",
)
RUN_TEMPLATE = FIXTURES / "runs" / "get-playwright-complete-failed.json"
DEFAULT_RUN_ID = "genrun0000000001"


@dataclass
class GeneratedRun:
    """The run body and the instance bodies, by id, ready to send."""

    run_id: str
    body: bytes
    instances: dict[str, bytes]
    claimed_ids: list[str]
    unclaimed_ids: list[str]
    missing_ids: list[str]
    instance_requests: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _released: threading.Event = field(default_factory=threading.Event, repr=False)

    @classmethod
    def build(cls, size: int, *, unclaimed: int = 0, missing: int = 0, run_id: str = DEFAULT_RUN_ID) -> GeneratedRun:
        templates = [json.loads((FIXTURES / name).read_text(encoding="utf-8")) for name in TEMPLATES]
        run = json.loads(RUN_TEMPLATE.read_text(encoding="utf-8"))
        project_id = run["data"]["projectId"]
        spec_template = run["data"]["specs"][0]
        specs: list[dict[str, Any]] = []
        instances: dict[str, bytes] = {}
        claimed_ids, unclaimed_ids, missing_ids = [], [], []
        for index in range(size + unclaimed + missing):
            instance_id = f"{run_id}-i{index:05d}"
            spec_path = f"generated/spec-{index:05d}.spec.ts"
            spec = {**copy.deepcopy(spec_template), "instanceId": instance_id, "spec": spec_path}
            if index < size:
                body = copy.deepcopy(templates[index % len(templates)])
                body["data"].update(instanceId=instance_id, runId=run_id, projectId=project_id, spec=spec_path)
                instances[instance_id] = json.dumps(body, ensure_ascii=False).encode("utf-8")
                claimed_ids.append(instance_id)
            elif index < size + unclaimed:
                spec.update(claimedAt=None, completedAt=None, machineId="", results=None)
                unclaimed_ids.append(instance_id)
            else:
                missing_ids.append(instance_id)
            specs.append(spec)
        run["data"].update(runId=run_id, specs=specs)
        body = json.dumps(run, ensure_ascii=False).encode("utf-8")
        return cls(run_id, body, instances, claimed_ids, unclaimed_ids, missing_ids)

    def count_instance_request(self) -> int:
        with self._lock:
            self.instance_requests += 1
            return self.instance_requests

    def release(self) -> None:
        """Let the instance requests held by `hold_after` be answered."""
        self._released.set()

    async def held(self) -> None:
        while not self._released.is_set():
            await asyncio.sleep(0.01)


GENERATED_PROJECT_NAME = "Generated run"


def add_to_world(world: World, run: GeneratedRun) -> None:
    """Put `run` and its claimed instances into `world` as an ordinary run of its project (added if missing).
    Its unclaimed specs have no instance yet and its missing ones none at all: both answer 404, as in the
    wrapper."""
    data = json.loads(run.body)["data"]
    project_id = str(data["projectId"])
    created = parse_iso(data.get("createdAt"))
    if project_id not in world.projects:
        project_created = created - dt.timedelta(days=30)
        world.projects[project_id] = Project(
            project_id, GENERATED_PROJECT_NAME, project_created, make_cursor(project_created, project_id)
        )
    for instance_id in run.claimed_ids:
        world.instances[instance_id] = instance_from_data(json.loads(run.instances[instance_id])["data"], "generated")
    world.runs[run.run_id] = Run(
        run_id=run.run_id,
        project_id=project_id,
        created_at=created,
        cursor=make_cursor(created, run.run_id),
        body=data,
        instance_ids=list(run.claimed_ids),
    )


async def _send(send: Send, status: int, body: bytes) -> None:
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def serve_generated_run(
    app: ASGIApp, run: GeneratedRun, keys: Collection[str], *, rate_limit_every: int = 0, hold_after: int | None = None
) -> ASGIApp:
    """`app`, plus `run` and its instances for the Bearer `keys` (see the module docstring)."""
    accepted = {f"Bearer {key}".encode() for key in keys}
    run_path = f"/v1/runs/{run.run_id}"

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope.get("type") == "http" else ""
        instance_id = path.removeprefix("/v1/instances/") if path.startswith("/v1/instances/") else None
        ours = path == run_path or (instance_id is not None and instance_id.startswith(run.run_id + "-"))
        if not ours or scope.get("method") != "GET":
            await app(scope, receive, send)
            return
        authorization = [v for k, v in scope.get("headers", ()) if k.lower() == b"authorization"]
        if len(authorization) != 1 or authorization[0].strip() not in accepted:
            await send_failed(send, 401, UNAUTHORIZED_ERROR)
            return
        if instance_id is None:
            await _send(send, 200, run.body)
            return
        count = run.count_instance_request()
        if hold_after is not None and count > hold_after:
            await run.held()
        if rate_limit_every and count % rate_limit_every == 0:
            await send_failed(send, 429, "Too many requests", [(b"retry-after", b"0")])
            return
        body = run.instances.get(instance_id)
        if body is None:
            await send_failed(send, 404, INSTANCE_NOT_FOUND)
            return
        await _send(send, 200, body)

    return wrapped
