"""The ASGI receiver, served by uvicorn on loopback: a verified delivery is answered 202 before the callback
runs, and the callback gets the typed event (plain and async callbacks); a wrong secret is answered 401 and a
stale timestamp or a body that is no event 400, without calling the callback; other methods get 405 and an
oversized body 413."""

from __future__ import annotations

import json
import queue
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from currents_api_client import WebhookEvent, errors, models
from currents_api_client.lib.receiver import receiver

from contract_tests.mock_api.server import serve_in_thread
from scripts.spec.payload_fixtures import load_delivery_fixtures

SECRET = "receiver-secret-0123456789"
HEADER = "x-currents-secret"
FIXTURES = {f.path.stem: f for f in load_delivery_fixtures()}
FINISHED = FIXTURES["run-finish-multigroup"]
WAIT = 10  # seconds a test waits for a callback it expects, so that a broken receiver fails instead of hanging


class Calls:
    def __init__(self) -> None:
        self.events: queue.Queue[WebhookEvent] = queue.Queue()
        self.refusals: queue.Queue[errors.WebhookVerificationError] = queue.Queue()
        self.release = threading.Event()
        self.released = True

    def on_event(self, event: WebhookEvent) -> None:
        if event.build_id == "slow":
            self.released = self.release.wait(WAIT)
        self.events.put(event)

    def on_refused(self, error: errors.WebhookVerificationError) -> None:
        self.refusals.put(error)


@pytest.fixture(scope="module")
def calls() -> Calls:
    return Calls()


@pytest.fixture(scope="module")
def url(calls: Calls) -> Iterator[str]:
    app = receiver(calls.on_event, secret=SECRET, secret_header=HEADER, on_refused=calls.on_refused, path="/hook")
    with serve_in_thread(app) as base:
        yield base.removesuffix("/v1") + "/hook"


def deliver(url: str, body: bytes, secret: str = SECRET, timestamp: float | None = None) -> httpx.Response:
    sent = {"content-type": "application/json", HEADER: secret}
    sent["x-timestamp"] = str(int(time.time() if timestamp is None else timestamp))
    return httpx.post(url, content=body, headers=sent)


def test_a_verified_delivery_is_acknowledged_and_handed_to_the_callback(url: str, calls: Calls) -> None:
    answer = deliver(url, FINISHED.path.read_bytes())
    assert answer.status_code == 202
    event = calls.events.get(timeout=WAIT)
    assert isinstance(event, models.RunFinishEvent) and event.to_dict() == FINISHED.body


def test_the_answer_does_not_wait_for_the_callback(url: str, calls: Calls) -> None:
    calls.release.clear()
    answer = deliver(url, json.dumps({**FINISHED.body, "buildId": "slow"}).encode())
    assert answer.status_code == 202 and calls.events.empty()  # answered while the callback still waits
    calls.release.set()
    assert calls.events.get(timeout=WAIT).build_id == "slow" and calls.released


@pytest.mark.parametrize(
    ("secret", "timestamp", "body", "status", "reason"),
    [
        ("wrong", None, FINISHED.path.read_bytes(), 401, "does not match the secret"),
        (SECRET, 1_000_000.0, FINISHED.path.read_bytes(), 400, "seconds in the past"),
        (SECRET, None, b'{"event": "RUN_PAUSED"}', 400, "expected one of RUN_START"),
    ],
    ids=["wrong-secret", "stale", "unknown-event"],
)
def test_a_refused_delivery_gets_its_status_and_never_reaches_the_callback(
    url: str, calls: Calls, secret: str, timestamp: float | None, body: bytes, status: int, reason: str
) -> None:
    answer = deliver(url, body, secret, timestamp)
    assert answer.status_code == status and reason in answer.text and SECRET not in answer.text
    assert reason in str(calls.refusals.get(timeout=WAIT))
    assert calls.events.empty()


def test_other_methods_get_405_and_an_oversized_body_413(url: str, calls: Calls) -> None:
    assert httpx.get(url).status_code == 405
    assert deliver(url, b" " * (1024 * 1024 + 1)).status_code == 413
    assert calls.events.empty()


def test_an_async_callback_gets_the_event() -> None:
    received: list[WebhookEvent] = []
    done = threading.Event()

    async def on_event(event: WebhookEvent) -> None:
        received.append(event)
        done.set()

    with serve_in_thread(receiver(on_event, secret=None, secret_header=None)) as base:
        body = FIXTURES["run-timeout-null-commit"].path.read_bytes()
        answer = httpx.post(base.removesuffix("/v1") + "/", content=body, headers={"x-timestamp": str(time.time())})
    assert answer.status_code == 202 and done.wait(WAIT)
    assert [type(e) for e in received] == [models.RunTimeoutEvent]


def test_a_secret_without_its_header_is_refused_when_the_app_is_built() -> None:
    with pytest.raises(ValueError, match="secret_header"):
        receiver(print, secret=SECRET, secret_header=None)
