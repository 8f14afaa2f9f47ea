"""The client's own arguments: a wrong one raises one ValueError or TypeError naming it, when the client is made
or when the call is made, before any request is sent (a transport that cannot send in the call's mode: one
RuntimeError saying so)."""

from __future__ import annotations

import asyncio
import math
from typing import Any

import httpx
import pytest
from currents_api_client import AuthenticatedClient, Client
from currents_api_client.api.instances import get_instance

from tests.client.conftest import API_KEY, ScriptedServer

BAD_SETTINGS: dict[str, tuple[dict[str, Any], type[Exception], str]] = {
    "max_retry_wait=0": ({"max_retry_wait": 0}, ValueError, "max_retry_wait must be more than 0"),
    "max_retry_wait=-1": ({"max_retry_wait": -1}, ValueError, "max_retry_wait must be more than 0"),
    "max_retry_wait=nan": ({"max_retry_wait": math.nan}, ValueError, "max_retry_wait must be more than 0"),
    "max_retry_wait='5'": ({"max_retry_wait": "5"}, TypeError, "max_retry_wait must be a number of seconds"),
    "max_retries=-1": ({"max_retries": -1}, ValueError, "max_retries must be 0 or more"),
    "max_retries=1.5": ({"max_retries": 1.5}, TypeError, "max_retries must be an int"),
    "deadline=0": ({"deadline": 0}, ValueError, "deadline must be more than 0"),
    "deadline=inf": ({"deadline": math.inf}, ValueError, "deadline must be more than 0 and finite"),
    "max_response_size=0": ({"max_response_size": 0}, ValueError, "max_response_size must be more than 0"),
    "max_response_size=1.5": ({"max_response_size": 1.5}, TypeError, "max_response_size must be an int"),
    "non-ASCII prefix": ({"prefix": "Bearér"}, ValueError, "prefix must be printable ASCII"),
    "prefix with a newline": ({"prefix": "Bearer\n"}, ValueError, "prefix must be printable ASCII"),
    "prefix with a space inside": ({"prefix": "Bearer\tx"}, ValueError, "prefix must be printable ASCII"),
    "prefix None": ({"prefix": None}, TypeError, "prefix must be a str"),
    "header name with a colon": ({"auth_header_name": "X-Key:"}, ValueError, "auth_header_name must be an HTTP"),
    "empty header name": ({"auth_header_name": ""}, ValueError, "auth_header_name must be an HTTP header name"),
    "token None": ({"token": None}, TypeError, "token: the API key must be a str"),
}


@pytest.mark.parametrize("case", BAD_SETTINGS)
def test_a_wrong_setting_raises_one_error_naming_it_when_the_client_is_made(case: str) -> None:
    settings, error, message = BAD_SETTINGS[case]
    with pytest.raises(error) as raised:
        AuthenticatedClient(**{"token": API_KEY, **settings})
    assert str(raised.value).startswith(message)
    assert "\n" not in str(raised.value)


def test_an_unauthenticated_client_checks_its_settings_too() -> None:
    with pytest.raises(ValueError, match=r"^max_retry_wait must be more than 0"):
        Client(max_retry_wait=0)


def test_an_empty_prefix_is_allowed_and_sends_the_key_alone(server: ScriptedServer) -> None:
    with AuthenticatedClient(
        token=API_KEY, base_url=server.base_url, prefix="", auth_header_name="X-Api-Key", max_retries=0
    ) as client:
        get_instance.sync_detailed("abc", client=client)
    assert server.api.received[0].headers["x-api-key"] == API_KEY


BAD_IDS: dict[str, tuple[object, type[Exception], str]] = {
    "empty": ("", ValueError, "instance_id must not be empty"),
    "blank": ("  ", ValueError, "instance_id must not be empty"),
    "None": (None, TypeError, "instance_id must be a str, not NoneType"),
    "a list": (["a"], TypeError, "instance_id must be a str, not list"),
    "70,000 characters": ("a" * 70_000, ValueError, "instance_id is too long: 70,000 characters"),
    "2,000 characters that encode to 3 each": ("/" * 2_000, ValueError, "instance_id is too long: 6,000 characters"),
}


@pytest.mark.parametrize("mode", ["sync", "sync_detailed", "asyncio", "asyncio_detailed"])
@pytest.mark.parametrize("case", BAD_IDS)
def test_an_instance_id_that_cannot_be_a_path_segment_raises_at_the_call(
    server: ScriptedServer, case: str, mode: str
) -> None:
    value, error, message = BAD_IDS[case]
    call = getattr(get_instance, mode)
    with pytest.raises(error) as raised:
        with AuthenticatedClient(token=API_KEY, base_url=server.base_url, max_retries=0) as client:
            if mode.startswith("asyncio"):
                asyncio.run(call(value, client=client))
            else:
                call(value, client=client)
    assert str(raised.value).startswith(message)
    assert server.api.received == []


def test_the_longest_instance_id_allowed_is_sent(server: ScriptedServer) -> None:
    with AuthenticatedClient(token=API_KEY, base_url=server.base_url, max_retries=0) as client:
        get_instance.sync_detailed("a" * 4096, client=client)
    assert server.api.received[0].raw_path == "/v1/instances/" + "a" * 4096


@pytest.mark.parametrize("mode", ["sync", "asyncio"])
def test_a_given_transport_that_cannot_send_in_the_calls_mode_raises_one_error_before_any_request(
    server: ScriptedServer, mode: str
) -> None:
    wrong = httpx.AsyncHTTPTransport() if mode == "sync" else httpx.HTTPTransport()
    client = AuthenticatedClient(
        token=API_KEY, base_url=server.base_url, max_retries=0, httpx_args={"transport": wrong}
    )
    expected = "synchronous" if mode == "sync" else "asynchronous"
    with pytest.raises(RuntimeError, match=rf"^this client's transport cannot send {expected} requests$"):
        if mode == "sync":
            get_instance.sync_detailed("abc", client=client)
        else:
            asyncio.run(get_instance.asyncio_detailed("abc", client=client))
    assert server.api.received == []
