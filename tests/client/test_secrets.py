"""The API key never appears in a repr, an exception (text, repr, cause or traceback) or a log line."""

from __future__ import annotations

import asyncio
import logging
import traceback
from collections.abc import Callable

import httpx
import pytest
from currents_api_client import AuthenticatedClient, errors
from currents_api_client.api.instances import get_instance

from tests.client.conftest import API_KEY, DroppingServer, ScriptedServer, Waits
from tests.client.scripted_api import Reply, failed


def exception_texts(error: BaseException) -> str:
    """Everything a log handler or a crash report could print of `error`, its causes included."""
    texts = [str(error), repr(error), "".join(traceback.format_exception(error))]
    cause = error.__cause__ or error.__context__
    while cause is not None:
        texts += [str(cause), repr(cause)]
        cause = cause.__cause__ or cause.__context__
    if isinstance(error, errors.APIStatusError | errors.InvalidResponseError):
        texts += [repr(error.response), repr(error.response.request), str(error.response.request.url)]
        texts += [repr(error.response.request.headers), repr(error.response.headers)]
    return "\n".join(texts)


def test_client_repr_and_str_hide_the_key() -> None:
    client = AuthenticatedClient(token=API_KEY, headers={"X-Extra": API_KEY}, cookies={"session": API_KEY})
    for text in (repr(client), str(client)):
        assert API_KEY not in text
        assert "token='<hidden>'" in text
    assert API_KEY not in repr(AuthenticatedClient(token=API_KEY).get_httpx_client().headers)
    assert API_KEY not in repr(client.with_headers({"X-More": "1"}))


REPLIES = {
    "401": failed(401, "Invalid API key provided"),
    "403": failed(403, "Insufficient permissions to access this instance"),
    "404": failed(404, "Instance not found"),
    "429": failed(429, "Too many requests", {"Retry-After": "1"}),
    "500": failed(500, "boom"),
    "503": failed(503, "down"),
    "418": Reply(418, b"teapot"),
    "invalid body": Reply(200, b"{not json"),
    "no variant": Reply(200, {"status": "OK", "data": {"instanceId": "x"}}),
    "401 echoing the key": failed(401, f"Invalid API key provided: {API_KEY}"),
    "body echoing the key": Reply(200, {"status": API_KEY, "data": {}}),
}


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("reply", REPLIES, ids=list(REPLIES))
def test_no_error_path_shows_the_key(
    server: ScriptedServer, waits: Waits, caplog: pytest.LogCaptureFixture, reply: str, mode: str
) -> None:
    server.api.script(REPLIES[reply])
    caplog.set_level(logging.DEBUG)
    with AuthenticatedClient(token=API_KEY, base_url=server.base_url) as client:
        if mode == "sync":
            with pytest.raises(errors.CurrentsError) as raised:
                get_instance.sync("x", client=client)
        else:

            async def fetch() -> None:
                async with AuthenticatedClient(token=API_KEY, base_url=server.base_url) as aclient:
                    await get_instance.asyncio("x", client=aclient)

            with pytest.raises(errors.CurrentsError) as raised:
                asyncio.run(fetch())
    assert server.api.received and server.api.received[0].headers["authorization"] == f"Bearer {API_KEY}"
    assert API_KEY not in exception_texts(raised.value)
    assert caplog.records, "DEBUG logging should have recorded the request"
    assert API_KEY not in caplog.text


@pytest.mark.parametrize(
    "failure",
    ["refused", "dropped", "timeout"],
)
def test_connection_failures_do_not_show_the_key(
    failure: str,
    unused_port_url: str,
    dropping_server: DroppingServer,
    server: ScriptedServer,
    waits: Waits,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    base_url = {"refused": unused_port_url, "dropped": dropping_server.base_url, "timeout": server.base_url}[failure]
    server.api.script(Reply(200, b"", delay=1.0))
    with AuthenticatedClient(token=API_KEY, base_url=base_url, timeout=httpx.Timeout(0.1)) as client:
        with pytest.raises(errors.APIConnectionError) as raised:
            get_instance.sync("x", client=client)
    assert API_KEY not in exception_texts(raised.value)
    assert API_KEY not in caplog.text


def test_a_missing_key_error_does_not_show_other_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CURRENTS_API_KEY", raising=False)
    with pytest.raises(errors.MissingAPIKeyError) as raised:
        AuthenticatedClient.from_env()
    assert "CURRENTS_API_KEY" in str(raised.value)


BAD_KEYS: dict[str, Callable[[str], str]] = {
    "newline": lambda key: key + "\n",
    "carriage return inside": lambda key: key[:5] + "\r" + key[5:],
    "non-ascii": lambda key: key + "é",
}


@pytest.mark.parametrize("bad", BAD_KEYS)
def test_a_key_http_cannot_carry_is_refused_without_echoing_it(bad: str) -> None:
    key = BAD_KEYS[bad](API_KEY)
    with pytest.raises(ValueError) as raised:
        AuthenticatedClient(token=key)
    assert "API key" in str(raised.value)
    assert API_KEY[:12] not in exception_texts(raised.value)
