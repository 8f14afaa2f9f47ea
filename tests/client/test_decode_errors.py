"""What decoding raises, and what it does not: JSON nested too deeply is a typed error, never a RecursionError; a
payload of the wrong shape is a DecodeError; a bug of the client's own decoding surfaces as itself instead of
being blamed on the server's body; and the spec's `not: {const}` keeps a Playwright framework out of
OtherFrameworkInstance."""

from __future__ import annotations

import asyncio
import copy
from typing import Any

import httpx
import pytest
from currents_api_client import AuthenticatedClient, errors
from currents_api_client.api.instances import get_instance
from currents_api_client.models import InstanceResponse, OtherFramework, OtherFrameworkInstance, playwright_instance

from tests.client.conftest import API_KEY, ScriptedServer
from tests.client.scripted_api import Reply
from tests.support import seed_body

DEEP = b"[" * 100_000
DEEP_INSIDE = b'{"status": "OK", "data": ' + b'{"a": ' * 50_000


def client_for(server: ScriptedServer) -> AuthenticatedClient:
    return AuthenticatedClient(token=API_KEY, base_url=server.base_url, max_retries=0)


@pytest.mark.parametrize("body", [DEEP, DEEP_INSIDE], ids=["100,000 brackets", "50,000 objects in the envelope"])
def test_deep_nesting_in_a_200_raises_invalid_response_error(server: ScriptedServer, body: bytes) -> None:
    server.api.script(Reply(200, body))
    with client_for(server) as client:
        with pytest.raises(errors.InvalidResponseError) as raised:
            get_instance.sync("x", client=client)
        detailed = get_instance.sync_detailed("x", client=client)
    assert str(raised.value) == "200 OK: invalid response body: the JSON nests too deeply to decode"
    assert raised.value.__cause__ is None and raised.value.__context__ is None
    assert detailed.status_code == 200 and detailed.parsed is None and detailed.content == body


@pytest.mark.parametrize(
    ("status", "error_class"),
    [
        (404, errors.NotFoundError),
        (401, errors.AuthenticationError),
        (503, errors.ServerError),
        (418, errors.UnexpectedStatus),
    ],
)
def test_deep_nesting_in_an_error_status_raises_that_status_error(
    server: ScriptedServer, status: int, error_class: type[errors.APIStatusError]
) -> None:
    server.api.script(Reply(status, DEEP))
    with client_for(server) as client:
        with pytest.raises(error_class) as raised:
            get_instance.sync("x", client=client)
        assert get_instance.sync_detailed("x", client=client).parsed is None
    assert raised.value.status_code == status and raised.value.error is None


def test_deep_nesting_is_a_typed_error_in_async_calls_too(server: ScriptedServer) -> None:
    server.api.script(Reply(404, DEEP))

    async def fetch() -> None:
        async with client_for(server) as client:
            await get_instance.asyncio("x", client=client)

    with pytest.raises(errors.NotFoundError):
        asyncio.run(fetch())


def test_json_body_turns_deep_nesting_into_a_decode_error() -> None:
    response = httpx.Response(200, content=DEEP)
    with pytest.raises(errors.DecodeError, match="nests too deeply"):
        errors.json_body(response)
    assert errors.json_body(httpx.Response(200, content=b'{"a": [1]}')) == {"a": [1]}


def playwright_body() -> dict[str, Any]:
    return seed_body("playwright-instance")


def broken(path: list[str | int], value: object) -> dict[str, Any]:
    body = copy.deepcopy(playwright_body())
    target: Any = body
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return body


WRONG_SHAPES: dict[str, object] = {
    "a list for the envelope": [],
    "a string for the envelope": "OK",
    "a number for data": broken(["data"], 5),
    "a number for a list of tests": broken(["data", "results", "tests"], 5),
    "a string for a nested object": broken(["data", "results", "stats"], "many"),
    "a number for a date-time": broken(["data", "createdAt"], 1718617771368),
    "a number for a test in a list": broken(["data", "results", "tests", 0], 7),
}


@pytest.mark.parametrize("case", WRONG_SHAPES)
def test_a_payload_of_the_wrong_shape_raises_decode_error(case: str) -> None:
    with pytest.raises(errors.DecodeError):
        InstanceResponse.from_dict(WRONG_SHAPES[case])  # type: ignore[arg-type]


def test_decode_errors_are_what_a_bad_payload_raises_and_nothing_else() -> None:
    assert set(errors.DECODE_ERRORS) == {KeyError, ValueError}
    assert issubclass(errors.DecodeError, ValueError)


@pytest.mark.parametrize("bug", [AttributeError, TypeError])
def test_a_bug_in_the_clients_own_decoding_surfaces_as_itself(
    server: ScriptedServer, monkeypatch: pytest.MonkeyPatch, bug: type[Exception]
) -> None:
    def buggy_parse_datetime(value: str) -> Any:
        raise bug("a bug in the client's decoding")

    monkeypatch.setattr(playwright_instance, "parse_datetime", buggy_parse_datetime)
    server.api.script(Reply(200, playwright_body()))
    with client_for(server) as client:
        with pytest.raises(bug, match="a bug in the client's decoding"):
            get_instance.sync("x", client=client)
        with pytest.raises(bug, match="a bug in the client's decoding"):
            get_instance.sync_detailed("x", client=client)
    with pytest.raises(bug):
        InstanceResponse.from_dict(playwright_body())


def test_a_playwright_framework_is_refused_by_other_framework_the_spec_not_const() -> None:
    with pytest.raises(errors.DecodeError, match=r"^type must not be 'pw'$"):
        OtherFramework.from_dict({"type": "pw", "version": "1.44.0"})
    with pytest.raises(errors.DecodeError, match="type must not be 'pw'"):
        OtherFrameworkInstance.from_dict(playwright_body()["data"])
    assert OtherFramework.from_dict({"type": "jest"}).type_ == "jest"
