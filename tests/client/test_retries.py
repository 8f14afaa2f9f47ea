"""Retries: a GET is retried on 429, 502, 503, 504 and connection errors, with backoff that honours Retry-After."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest
from currents_api_client import AuthenticatedClient, errors
from currents_api_client.api.instances import get_instance
from currents_api_client.client import DEFAULT_MAX_RETRIES
from httpx_retries import Retry

from tests.client.conftest import API_KEY, DroppingServer, ScriptedServer, Waits
from tests.client.scripted_api import Reply, failed
from tests.support import seed_body

OK = Reply(200, seed_body("playwright-instance"))


def fetch(base_url: str, **settings: object) -> object:
    with AuthenticatedClient(token=API_KEY, base_url=base_url, **settings) as client:  # type: ignore[arg-type]
        return get_instance.sync("2tniK8lM9j1rSoVh", client=client)


def afetch(base_url: str, **settings: object) -> object:
    async def run() -> object:
        async with AuthenticatedClient(token=API_KEY, base_url=base_url, **settings) as client:  # type: ignore[arg-type]
            return await get_instance.asyncio("2tniK8lM9j1rSoVh", client=client)

    return asyncio.run(run())


FETCHERS = {"sync": fetch, "async": afetch}


@pytest.mark.parametrize("mode", FETCHERS)
@pytest.mark.parametrize("status", [429, 502, 503, 504])
def test_retryable_status_is_retried_until_it_succeeds(
    server: ScriptedServer, waits: Waits, mode: str, status: int
) -> None:
    server.api.script(failed(status, "busy"), failed(status, "busy"), OK)
    FETCHERS[mode](server.base_url)
    assert len(server.api.received) == 3
    assert len(waits.seconds) == 2


@pytest.mark.parametrize("mode", FETCHERS)
def test_default_is_three_retries_then_the_typed_error(server: ScriptedServer, waits: Waits, mode: str) -> None:
    server.api.script(failed(503, "Service down"))
    with pytest.raises(errors.ServerError, match="503 Service Unavailable: Service down"):
        FETCHERS[mode](server.base_url)
    assert DEFAULT_MAX_RETRIES == 3
    assert len(server.api.received) == 1 + 3


@pytest.mark.parametrize("mode", FETCHERS)
def test_retry_count_is_configurable(server: ScriptedServer, waits: Waits, mode: str) -> None:
    server.api.script(failed(429, "slow down"))
    with pytest.raises(errors.RateLimitError):
        FETCHERS[mode](server.base_url, max_retries=5)
    assert len(server.api.received) == 6


@pytest.mark.parametrize("mode", FETCHERS)
def test_zero_retries_turns_retries_off(server: ScriptedServer, waits: Waits, mode: str) -> None:
    server.api.script(failed(429, "slow down"))
    with pytest.raises(errors.RateLimitError):
        FETCHERS[mode](server.base_url, max_retries=0)
    assert len(server.api.received) == 1
    assert waits.seconds == []


@pytest.mark.parametrize("mode", FETCHERS)
@pytest.mark.parametrize("status", [400, 401, 403, 404, 405, 409, 422, 500])
def test_other_statuses_are_never_retried(server: ScriptedServer, waits: Waits, mode: str, status: int) -> None:
    server.api.script(failed(status, "no"))
    with pytest.raises(errors.APIStatusError):
        FETCHERS[mode](server.base_url)
    assert len(server.api.received) == 1


@pytest.mark.parametrize("mode", FETCHERS)
def test_connection_errors_are_retried(dropping_server: DroppingServer, waits: Waits, mode: str) -> None:
    with pytest.raises(errors.APIConnectionError):
        FETCHERS[mode](dropping_server.base_url)
    # Three retries by the retry layer; httpcore may open one more connection of its own when a fresh one drops.
    assert len(waits.seconds) == 3
    assert len(dropping_server.accepted) >= 4


@pytest.mark.parametrize("mode", FETCHERS)
def test_backoff_grows_exponentially_with_jitter(server: ScriptedServer, waits: Waits, mode: str) -> None:
    server.api.script(failed(503, "down"))
    with pytest.raises(errors.ServerError):
        FETCHERS[mode](server.base_url, max_retries=6)
    # backoff_factor 0.5 with full jitter: attempt n waits a random time up to 0.5 * 2**n seconds.
    assert len(waits.seconds) == 6
    for attempt, wait in enumerate(waits.seconds, start=1):
        assert 0 <= wait <= 0.5 * 2**attempt
    assert len(set(waits.seconds)) > 1


@pytest.mark.parametrize("mode", FETCHERS)
def test_retry_after_in_seconds_is_honoured(server: ScriptedServer, waits: Waits, mode: str) -> None:
    server.api.script(failed(429, "slow down", {"Retry-After": "7"}), OK)
    FETCHERS[mode](server.base_url)
    assert waits.seconds == [7.0]


@pytest.mark.parametrize("mode", FETCHERS)
def test_retry_after_as_an_http_date_is_honoured(server: ScriptedServer, waits: Waits, mode: str) -> None:
    when = datetime.now(UTC) + timedelta(seconds=20)
    server.api.script(failed(503, "maintenance", {"Retry-After": format_datetime(when, usegmt=True)}), OK)
    FETCHERS[mode](server.base_url)
    assert len(waits.seconds) == 1
    assert 17 <= waits.seconds[0] <= 20


@pytest.mark.parametrize("mode", FETCHERS)
def test_retry_after_is_capped(server: ScriptedServer, waits: Waits, mode: str) -> None:
    server.api.script(failed(429, "slow down", {"Retry-After": "3600"}), OK)
    FETCHERS[mode](server.base_url)
    assert waits.seconds == [60.0]
    server.api.script(failed(429, "slow down", {"Retry-After": "3600"}), OK)
    FETCHERS[mode](server.base_url, max_retry_wait=5.0)
    assert waits.seconds == [60.0, 5.0]


def test_negative_retry_count_is_refused() -> None:
    with pytest.raises(ValueError, match="max_retries"):
        AuthenticatedClient(token=API_KEY, max_retries=-1)


class CountingTransport(httpx.HTTPTransport):
    """A user's own transport: a real HTTP transport that counts the requests it sends."""

    def __init__(self) -> None:
        super().__init__()
        self.sent = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.sent += 1
        return super().handle_request(request)


class AsyncCountingTransport(httpx.AsyncHTTPTransport):
    def __init__(self) -> None:
        super().__init__()
        self.sent = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent += 1
        return await super().handle_async_request(request)


def test_a_transport_in_httpx_args_is_wrapped_by_the_retries_as_documented(
    server: ScriptedServer, waits: Waits
) -> None:
    server.api.script(failed(503, "down"), failed(503, "down"), OK)
    transport = CountingTransport()
    result = fetch(server.base_url, httpx_args={"transport": transport})
    assert type(result).__name__ == "InstanceResponse"
    assert transport.sent == 3 == len(server.api.received)
    assert len(waits.seconds) == 2


def test_an_async_transport_in_httpx_args_is_wrapped_by_the_retries_too(server: ScriptedServer, waits: Waits) -> None:
    server.api.script(failed(502, "bad gateway"), OK)
    transport = AsyncCountingTransport()
    assert type(afetch(server.base_url, httpx_args={"transport": transport})).__name__ == "InstanceResponse"
    assert transport.sent == 2 == len(server.api.received)


def test_a_transport_in_httpx_args_keeps_the_size_limit(server: ScriptedServer) -> None:
    server.api.script(OK)
    with pytest.raises(errors.ResponseTooLargeError):
        fetch(server.base_url, httpx_args={"transport": CountingTransport()}, max_response_size=100)


def test_an_httpx_client_set_by_hand_bypasses_the_retries_as_documented(server: ScriptedServer, waits: Waits) -> None:
    server.api.script(failed(503, "down"), OK)
    client = AuthenticatedClient(token=API_KEY, base_url=server.base_url)
    client.set_httpx_client(httpx.Client(base_url=server.base_url, headers={"Authorization": f"Bearer {API_KEY}"}))
    with client, pytest.raises(errors.ServerError):
        get_instance.sync("2tniK8lM9j1rSoVh", client=client)
    assert len(server.api.received) == 1 and waits.seconds == []


def test_a_retry_policy_a_request_carries_is_kept(server: ScriptedServer, waits: Waits) -> None:
    """An operation may choose its own policy (say, none for a POST) in the request's extensions."""
    server.api.script(failed(503, "down"), OK)
    with AuthenticatedClient(token=API_KEY, base_url=server.base_url) as client:
        response = client.get_httpx_client().get("/instances/x", extensions={"retry": Retry(total=0)})
    assert response.status_code == 503
    assert len(server.api.received) == 1 and waits.seconds == []
