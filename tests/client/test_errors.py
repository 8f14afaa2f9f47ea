"""Typed errors: `sync`/`asyncio` return the 200 model or raise; `*_detailed` return the Response and never raise."""

from __future__ import annotations

import asyncio

import pytest
from currents_api_client import AuthenticatedClient, errors
from currents_api_client.api.instances import get_instance
from currents_api_client.models import ErrorResponse, InstanceResponse, PlaywrightInstance

from tests.client.conftest import API_KEY, ScriptedServer
from tests.client.scripted_api import Reply, failed
from tests.support import seed_body

STATUS_ERRORS = [
    (401, "Invalid API key provided", errors.AuthenticationError, "401 Unauthorized: Invalid API key provided"),
    (
        403,
        "Insufficient permissions to access this instance",
        errors.PermissionDeniedError,
        "403 Forbidden: Insufficient permissions to access this instance",
    ),
    (404, "Instance not found", errors.NotFoundError, "404 Not Found: Instance not found"),
    (429, "Too many requests", errors.RateLimitError, "429 Too Many Requests: Too many requests"),
    (500, "Internal error", errors.ServerError, "500 Internal Server Error: Internal error"),
    (503, "Unavailable", errors.ServerError, "503 Service Unavailable: Unavailable"),
]


def client_for(server: ScriptedServer, **settings: object) -> AuthenticatedClient:
    return AuthenticatedClient(token=API_KEY, base_url=server.base_url, max_retries=0, **settings)  # type: ignore[arg-type]


def test_sync_returns_the_200_model(server: ScriptedServer) -> None:
    server.api.script(Reply(200, seed_body("playwright-instance")))
    with client_for(server) as client:
        result = get_instance.sync("2tniK8lM9j1rSoVh", client=client)
    assert isinstance(result, InstanceResponse)
    assert isinstance(result.data, PlaywrightInstance)
    assert result.data.instance_id == "2tniK8lM9j1rSoVh"


def test_asyncio_returns_the_200_model(server: ScriptedServer) -> None:
    server.api.script(Reply(200, seed_body("cypress-instance")))

    async def fetch() -> InstanceResponse:
        async with client_for(server) as client:
            return await get_instance.asyncio("bf89e79f-af2a-43cb-afba-2575e567f103", client=client)

    assert type(asyncio.run(fetch()).data).__name__ == "CypressInstance"


@pytest.mark.parametrize(
    ("status", "message", "error_class", "text"), STATUS_ERRORS, ids=[str(s[0]) for s in STATUS_ERRORS]
)
def test_each_documented_error_status_raises_its_typed_error(
    server: ScriptedServer, status: int, message: str, error_class: type[errors.APIStatusError], text: str
) -> None:
    server.api.script(failed(status, message))
    with client_for(server) as client, pytest.raises(error_class) as raised:
        get_instance.sync("x", client=client)
    error = raised.value
    assert str(error) == text
    assert error.status_code == status
    assert error.error == message
    assert error.response.status_code == status and error.response.json()["error"] == message
    assert isinstance(error, errors.APIStatusError) and isinstance(error, errors.CurrentsError)


@pytest.mark.parametrize(
    ("status", "message", "error_class", "text"), STATUS_ERRORS, ids=[str(s[0]) for s in STATUS_ERRORS]
)
def test_async_raises_the_same_typed_errors(
    server: ScriptedServer, status: int, message: str, error_class: type[errors.APIStatusError], text: str
) -> None:
    server.api.script(failed(status, message))

    async def fetch() -> None:
        async with client_for(server) as client:
            await get_instance.asyncio("x", client=client)

    with pytest.raises(error_class, match=text):
        asyncio.run(fetch())


def test_an_undocumented_status_raises_unexpected_status(server: ScriptedServer) -> None:
    server.api.script(Reply(418, b"I'm a teapot", {"content-type": "text/plain"}))
    with client_for(server) as client, pytest.raises(errors.UnexpectedStatus) as raised:
        get_instance.sync("x", client=client)
    assert str(raised.value) == "418 I'm a Teapot"
    assert raised.value.error is None and raised.value.content == b"I'm a teapot"


def test_an_error_status_without_the_envelope_still_raises_by_status(server: ScriptedServer) -> None:
    server.api.script(Reply(502, b"<html>Bad gateway</html>", {"content-type": "text/html"}))
    with client_for(server) as client, pytest.raises(errors.ServerError) as raised:
        get_instance.sync("x", client=client)
    assert str(raised.value) == "502 Bad Gateway" and raised.value.error is None


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"<html>maintenance</html>", "Expecting value"),
        (b'{"status": "OK"}', "missing required field 'data'"),
        (b'{"status": "OK", "data": {"instanceId": "x"}}', "data fits none of CypressInstance, PlaywrightInstance"),
        (b'{"status": "OK", "data": []}', "expected CypressInstance, got list"),
    ],
    ids=["not json", "no data", "no variant", "data not an object"],
)
def test_a_200_body_that_is_not_the_documented_json_raises_invalid_response(
    server: ScriptedServer, body: bytes, reason: str
) -> None:
    server.api.script(Reply(200, body, {"content-type": "application/json"}))
    with client_for(server) as client, pytest.raises(errors.InvalidResponseError) as raised:
        get_instance.sync("x", client=client)
    assert str(raised.value).startswith("200 OK: invalid response body: ")
    assert reason in str(raised.value)
    assert raised.value.status_code == 200 and raised.value.response.content == body


def test_detailed_returns_the_response_for_error_statuses_without_raising(server: ScriptedServer) -> None:
    server.api.script(failed(404, "Instance not found"))
    with client_for(server) as client:
        response = get_instance.sync_detailed("x", client=client)
    assert response.status_code == 404
    assert isinstance(response.parsed, ErrorResponse) and response.parsed.error == "Instance not found"
    assert response.content == b'{"status": "FAILED", "error": "Instance not found"}'


@pytest.mark.parametrize(
    "reply",
    [Reply(200, b"not json"), Reply(418, b"teapot"), Reply(200, {"status": "OK", "data": {}})],
    ids=["invalid 200 body", "undocumented status", "no variant"],
)
def test_detailed_gives_parsed_none_instead_of_raising(server: ScriptedServer, reply: Reply) -> None:
    server.api.script(reply)
    with client_for(server) as client:
        response = get_instance.sync_detailed("x", client=client)
    assert response.status_code == reply.status and response.parsed is None


def test_async_detailed_returns_the_parsed_200(server: ScriptedServer) -> None:
    server.api.script(Reply(200, seed_body("playwright-instance")))

    async def fetch() -> object:
        async with client_for(server) as client:
            return (await get_instance.asyncio_detailed("x", client=client)).parsed

    assert isinstance(asyncio.run(fetch()), InstanceResponse)


def test_no_connection_raises_api_connection_error(unused_port_url: str) -> None:
    with AuthenticatedClient(token=API_KEY, base_url=unused_port_url, max_retries=0) as client:
        with pytest.raises(errors.APIConnectionError) as raised:
            get_instance.sync("x", client=client)
    assert str(raised.value).startswith(f"GET {unused_port_url}/instances/x: ConnectError")
    assert raised.value.__cause__ is not None


def test_the_error_tree_is_drawn_in_the_module_docstring() -> None:
    doc = errors.__doc__ or ""
    for name in (
        "CurrentsError",
        "APIStatusError",
        "AuthenticationError",
        "PermissionDeniedError",
        "NotFoundError",
        "RateLimitError",
        "ServerError",
        "UnexpectedStatus",
        "InvalidResponseError",
        "APIConnectionError",
        "APITimeoutError",
        "MissingAPIKeyError",
        "DecodeError",
    ):
        assert name in doc
        error_class = getattr(errors, name)
        assert issubclass(error_class, errors.CurrentsError) and error_class.__doc__
