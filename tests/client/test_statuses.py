"""Statuses outside Python's HTTPStatus (299, 499, Cloudflare's 520 to 527, 599, 600): the `*_detailed` calls
return them as plain ints and never raise; `sync`/`asyncio` raise ServerError for 5xx and UnexpectedStatus
otherwise. Served by a raw loopback server, since an ASGI server refuses to send some of them."""

from __future__ import annotations

import asyncio
import json

import pytest
from currents_api_client import AuthenticatedClient, errors
from currents_api_client.api.instances import get_instance
from currents_api_client.models import ErrorResponse

from tests.client.conftest import API_KEY, RawAnswer, RawServer, raw_response

NON_STANDARD = [299, 499, *range(520, 528), 599, 600]
BODY = json.dumps({"status": "FAILED", "error": "origin unreachable"}).encode()


def serve_status(raw_server: RawServer, status: int) -> None:
    raw_server.answer = lambda _: RawAnswer([raw_response(f"{status} Whatever", BODY)])


def client_for(raw_server: RawServer) -> AuthenticatedClient:
    return AuthenticatedClient(token=API_KEY, base_url=raw_server.base_url, max_retries=0)


@pytest.mark.parametrize("status", NON_STANDARD)
def test_detailed_returns_a_non_standard_status_as_an_int_without_raising(raw_server: RawServer, status: int) -> None:
    serve_status(raw_server, status)
    with client_for(raw_server) as client:
        response = get_instance.sync_detailed("x", client=client)
    assert response.status_code == status
    assert response.content == BODY
    if 500 <= status <= 599:
        assert isinstance(response.parsed, ErrorResponse)
        assert response.parsed.error == "origin unreachable"
    else:
        assert response.parsed is None


@pytest.mark.parametrize("status", NON_STANDARD)
def test_sync_raises_server_error_for_5xx_and_unexpected_status_otherwise(raw_server: RawServer, status: int) -> None:
    serve_status(raw_server, status)
    expected = errors.ServerError if 500 <= status <= 599 else errors.UnexpectedStatus
    with client_for(raw_server) as client:
        with pytest.raises(expected) as raised:
            get_instance.sync("x", client=client)
    assert type(raised.value) is expected
    assert raised.value.status_code == status
    assert str(raised.value) == f"{status} Unknown Status: origin unreachable"


@pytest.mark.parametrize("status", [522, 600])
def test_the_async_calls_handle_a_non_standard_status_the_same_way(raw_server: RawServer, status: int) -> None:
    serve_status(raw_server, status)

    async def both() -> int:
        async with client_for(raw_server) as client:
            response = await get_instance.asyncio_detailed("x", client=client)
            with pytest.raises(errors.ServerError if status < 600 else errors.UnexpectedStatus):
                await get_instance.asyncio("x", client=client)
        return int(response.status_code)

    assert asyncio.run(both()) == status
