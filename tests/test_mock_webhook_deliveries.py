"""The mock delivers webhooks, over real HTTP on loopback: a webhook registered through `POST /webhooks` on the
real mock receives `RUN_CANCELED` when a run is canceled (by `PUT /runs/{id}/cancel` and by cancel-by-CI), with
`x-timestamp` and its custom headers, and `unwrap` accepts it; a webhook on any other address is stored, and
its delivery is skipped and journaled, never sent; a receiver that keeps failing gets a bounded number of
attempts, journaled as failed; webhooks of other events or projects get nothing."""

from __future__ import annotations

import json
import queue
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from currents_api_client import WebhookEvent, models, webhooks
from currents_api_client.lib.receiver import receiver
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from contract_tests.mock_api.app import MockApi, create_app
from contract_tests.mock_api.deliveries import RETRIES, loopback_refusal
from contract_tests.mock_api.server import serve_in_thread
from tests.mock_support import DEMO_KEY

PROJECT = "Prj7Qa"
SECRET = "hook-secret-0123456789abcdef"
HEADER = "X-Currents-Secret"
WAIT = 10  # seconds to wait for a delivery that must come, so that a broken mock fails instead of hanging


@dataclass
class Counter:
    """A loopback server that records every request and answers `status`."""

    status: int
    bodies: list[bytes] = field(default_factory=list)

    def app(self) -> Starlette:
        async def record(request: Request) -> Response:
            self.bodies.append(await request.body())
            return PlainTextResponse("", status_code=self.status)

        return Starlette(routes=[Route("/", record, methods=["POST"])])


@dataclass
class World:
    mock: MockApi
    api: httpx.Client
    events: queue.Queue[tuple[WebhookEvent, dict[str, str]]]
    receiver_url: str
    never_called: Counter
    never_called_url: str
    failing: Counter
    failing_url: str


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    events: queue.Queue[tuple[WebhookEvent, dict[str, str]]] = queue.Queue()
    never_called, failing = Counter(200), Counter(503)
    app = receiver(lambda event: events.put((event, {})), secret=SECRET, secret_header=HEADER)
    mock = create_app()
    with (
        serve_in_thread(mock) as mock_url,
        serve_in_thread(app) as receiver_base,
        serve_in_thread(never_called.app()) as never_base,
        serve_in_thread(failing.app()) as failing_base,
        httpx.Client(base_url=mock_url, headers={"Authorization": f"Bearer {DEMO_KEY}"}) as api,
    ):
        yield World(
            mock,
            api,
            events,
            receiver_base.removesuffix("/v1") + "/",
            never_called,
            never_base.removesuffix("/v1").replace("127.0.0.1", "localhost") + "/",
            failing,
            failing_base.removesuffix("/v1") + "/",
        )


def create_hook(world: World, url: str, events: list[str], headers: dict[str, str] | None = None) -> str:
    body: dict[str, Any] = {"url": url, "hookEvents": events}
    if headers is not None:
        body["headers"] = json.dumps(headers)
    answer = world.api.post("/webhooks", params={"projectId": PROJECT}, json=body)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["data"]["hookId"])


def delete_hook(world: World, hook_id: str) -> None:
    assert world.api.delete(f"/webhooks/{hook_id}").status_code == 200


def cancelable_runs(world: World) -> list[str]:
    runs = world.mock.backend.world.runs.values()
    return [r.run_id for r in runs if r.project_id == PROJECT and r.completion_state != "CANCELED"]


def deliveries_of(world: World, hook_id: str) -> list[Any]:
    world.mock.deliveries.wait()
    return [d for d in world.mock.journal.deliveries if d.hook_id == hook_id]


def test_a_canceled_run_is_delivered_to_a_loopback_receiver_and_unwrap_accepts_it(world: World) -> None:
    hook = create_hook(world, world.receiver_url, ["RUN_CANCELED"], {HEADER: SECRET, "X-Team": "qa"})
    finish_only = create_hook(world, world.receiver_url, ["RUN_FINISH"], {HEADER: SECRET})
    run_id = cancelable_runs(world)[0]
    assert world.api.put(f"/runs/{run_id}/cancel").status_code == 200
    event, _ = world.events.get(timeout=WAIT)
    assert isinstance(event, models.RunCanceledEvent)
    assert event.run_url.endswith("/" + run_id)
    run = world.mock.backend.world.runs[run_id].body
    assert event.build_id == run["meta"]["ciBuildId"] and event.commit.sha == run["meta"]["commit"]["sha"]
    assert event.overall == sum(g["tests"]["overall"] for g in run["groups"])
    assert [(d.event, d.run_id, d.outcome, d.status) for d in deliveries_of(world, hook)] == [
        ("RUN_CANCELED", run_id, "delivered", 202)
    ]
    assert deliveries_of(world, finish_only) == [] and world.events.empty()
    delete_hook(world, hook)
    delete_hook(world, finish_only)


def test_a_delivery_carries_the_timestamp_and_the_custom_headers(world: World) -> None:
    seen: queue.Queue[tuple[bytes, dict[str, str]]] = queue.Queue()

    async def record(request: Request) -> Response:
        seen.put((await request.body(), dict(request.headers)))
        return PlainTextResponse("", status_code=204)

    with serve_in_thread(Starlette(routes=[Route("/", record, methods=["POST"])])) as base:
        hook = create_hook(world, base.removesuffix("/v1") + "/", ["RUN_CANCELED"], {HEADER: SECRET, "X-Team": "qa"})
        before = time.time()
        assert world.api.put(f"/runs/{cancelable_runs(world)[0]}/cancel").status_code == 200
        body, headers = seen.get(timeout=WAIT)
        world.mock.deliveries.wait()
    assert headers["x-currents-secret"] == SECRET and headers["x-team"] == "qa"
    assert headers["content-type"] == "application/json"
    assert before - 1 <= int(headers["x-timestamp"]) <= time.time() + 1
    event = webhooks.unwrap(body, headers, secret=SECRET, secret_header=HEADER)
    assert isinstance(event, models.RunCanceledEvent)
    delete_hook(world, hook)


def test_cancel_by_ci_delivers_too(world: World) -> None:
    hook = create_hook(world, world.receiver_url, ["RUN_CANCELED"], {HEADER: SECRET})
    github = world.mock.backend.world.github_runs
    open_runs = set(cancelable_runs(world))
    (github_run_id, attempt), run_id = next((k, v) for k, v in github.items() if v in open_runs)
    answer = world.api.put("/runs/cancel-ci/github", json={"githubRunId": github_run_id, "githubRunAttempt": attempt})
    assert answer.status_code == 200, answer.text
    event, _ = world.events.get(timeout=WAIT)
    assert isinstance(event, models.RunCanceledEvent) and event.run_url.endswith("/" + run_id)
    assert [d.outcome for d in deliveries_of(world, hook)] == ["delivered"]
    delete_hook(world, hook)


def test_a_webhook_on_another_address_is_stored_and_its_delivery_skipped_journaled_and_never_sent(
    world: World,
) -> None:
    elsewhere = create_hook(world, "https://hooks.example.com/currents", ["RUN_CANCELED"], {HEADER: SECRET})
    by_name = create_hook(world, world.never_called_url, ["RUN_CANCELED"], {HEADER: SECRET})
    stored = world.api.get(f"/webhooks/{elsewhere}").json()["data"]
    assert stored["url"] == "https://hooks.example.com/currents"
    run_id = cancelable_runs(world)[0]
    assert world.api.put(f"/runs/{run_id}/cancel").status_code == 200
    skipped = deliveries_of(world, elsewhere) + deliveries_of(world, by_name)
    assert [(d.outcome, d.run_id) for d in skipped] == [("skipped", run_id), ("skipped", run_id)]
    assert all("delivers only to loopback addresses" in str(d.reason) for d in skipped)
    assert world.never_called.bodies == []  # `localhost` is a name, not a loopback literal: never contacted
    delete_hook(world, elsewhere)
    delete_hook(world, by_name)


def test_a_failing_receiver_gets_a_bounded_number_of_attempts_journaled_as_failed(world: World) -> None:
    hook = create_hook(world, world.failing_url, ["RUN_CANCELED"])
    assert world.api.put(f"/runs/{cancelable_runs(world)[0]}/cancel").status_code == 200
    assert [(d.outcome, d.status) for d in deliveries_of(world, hook)] == [("failed", 503)]
    assert len(world.failing.bodies) == RETRIES + 1
    delete_hook(world, hook)


@pytest.mark.parametrize(
    ("url", "refused"),
    [
        ("http://127.0.0.1:9/x", False),
        ("http://127.9.9.9/x", False),
        ("http://[::1]:9/x", False),
        ("http://localhost:9/x", True),
        ("http://10.0.0.1/x", True),
        ("https://hooks.example.com/x", True),
        ("ftp://127.0.0.1/x", True),
        ("http://[::ffff:8.8.8.8]/x", True),
    ],
)
def test_only_a_loopback_ip_literal_is_delivered_to(url: str, refused: bool) -> None:
    assert (loopback_refusal(url) is not None) == refused
