"""Timeouts: bounded by default, overridable per client, and a fired timeout is a typed error."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from currents_api_client import AuthenticatedClient, Client, errors
from currents_api_client.api.instances import get_instance
from currents_api_client.client import DEFAULT_TIMEOUT

from tests.client.conftest import API_KEY, ScriptedServer, Waits
from tests.client.scripted_api import Reply
from tests.support import seed_body

SHORT = httpx.Timeout(0.2)


def test_default_timeout_is_bounded_for_connect_and_read() -> None:
    client = AuthenticatedClient(token=API_KEY)
    timeout = client.get_httpx_client().timeout
    assert timeout == DEFAULT_TIMEOUT
    assert timeout.connect is not None and 0 < timeout.connect <= 10
    assert timeout.read is not None and 0 < timeout.read <= 30
    assert client.get_async_httpx_client().timeout == DEFAULT_TIMEOUT


def test_timeout_can_be_set_per_client() -> None:
    assert Client(timeout=SHORT).get_httpx_client().timeout == SHORT
    assert Client().with_timeout(SHORT).get_httpx_client().timeout == SHORT


def test_a_server_slower_than_the_read_timeout_raises_api_timeout_error(server: ScriptedServer) -> None:
    server.api.script(Reply(200, seed_body("cypress-instance"), delay=2.0))
    with AuthenticatedClient(token=API_KEY, base_url=server.base_url, timeout=SHORT, max_retries=0) as client:
        with pytest.raises(errors.APITimeoutError) as raised:
            get_instance.sync("x", client=client)
    assert "timed out (ReadTimeout)" in str(raised.value)
    assert isinstance(raised.value, errors.APIConnectionError)
    assert isinstance(raised.value.__cause__, httpx.ReadTimeout)


def test_async_read_timeout_raises_api_timeout_error(server: ScriptedServer) -> None:
    server.api.script(Reply(200, seed_body("cypress-instance"), delay=2.0))

    async def fetch() -> None:
        async with AuthenticatedClient(token=API_KEY, base_url=server.base_url, timeout=SHORT, max_retries=0) as client:
            await get_instance.asyncio("x", client=client)

    with pytest.raises(errors.APITimeoutError):
        asyncio.run(fetch())


def test_a_timed_out_get_is_retried(server: ScriptedServer, waits: Waits) -> None:
    server.api.script(Reply(200, b"", delay=2.0), Reply(200, seed_body("cypress-instance")))
    with AuthenticatedClient(token=API_KEY, base_url=server.base_url, timeout=SHORT) as client:
        result = get_instance.sync("x", client=client)
    assert type(result.data).__name__ == "CypressInstance"
    assert len(server.api.received) == 2
