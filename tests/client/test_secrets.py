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

from tests.client.conftest import API_KEY, DroppingServer, RawAnswer, RawServer, ScriptedServer, Waits, raw_response
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


def error_texts(error: BaseException) -> str:
    """The exception's own texts and its causes': what a crash report prints (the request's headers aside, whose
    repr httpx masks only for Authorization)."""
    texts = [str(error), repr(error), "".join(traceback.format_exception(error)), repr(getattr(error, "error", None))]
    cause = error.__cause__ or error.__context__
    while cause is not None:
        texts += [str(cause), repr(cause)]
        cause = cause.__cause__ or cause.__context__
    return "\n".join(texts)


@pytest.mark.parametrize(
    ("reply", "quoted"),
    [
        (failed(401, f"Invalid API key provided: {API_KEY}"), True),
        (Reply(200, {"status": API_KEY, "data": {}}), True),
        (Reply(200, f'{{"status": "OK", "data": "{API_KEY}"'.encode()), False),
    ],
    ids=["401 echoing the key", "200 echoing the key in a field", "200 echoing the key in broken JSON"],
)
def test_a_key_in_a_custom_header_without_prefix_is_hidden_when_echoed(
    server: ScriptedServer, reply: Reply, quoted: bool
) -> None:
    server.api.script(reply)
    with AuthenticatedClient(
        token=API_KEY, base_url=server.base_url, auth_header_name="X-Api-Key", prefix="", max_retries=0
    ) as client:
        with pytest.raises(errors.CurrentsError) as raised:
            get_instance.sync("x", client=client)
    error = raised.value
    assert isinstance(error, errors.APIStatusError | errors.InvalidResponseError)
    assert server.api.received[0].headers["x-api-key"] == API_KEY
    assert API_KEY not in error_texts(error)
    assert API_KEY not in repr(error.response)
    assert ("<hidden>" in str(error)) is quoted


@pytest.mark.parametrize("key", ["a", "abc", "abcdefg"])
def test_a_key_too_short_to_hide_is_refused_without_echoing_it(key: str) -> None:
    with pytest.raises(ValueError) as raised:
        AuthenticatedClient(token=key)
    assert str(raised.value) == "token: the API key is shorter than 8 characters"
    assert repr(key) not in str(raised.value)


@pytest.mark.parametrize("prefix", ["Bearer\n", "Bearer\r\nX-Injected: 1", "Bearér", "\x00"])
def test_a_prefix_http_cannot_carry_is_refused_before_httpx_can_echo_the_key(prefix: str) -> None:
    with pytest.raises(ValueError, match=r"^prefix must be printable ASCII") as raised:
        AuthenticatedClient(token=API_KEY, prefix=prefix)
    assert API_KEY not in exception_texts(raised.value)


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_key_echoed_in_the_reason_phrase_or_a_header_is_hidden_in_library_logs(
    raw_server: RawServer, caplog: pytest.LogCaptureFixture, mode: str
) -> None:
    body = b'{"status": "FAILED", "error": "nope"}'
    raw_server.answer = lambda _: RawAnswer([raw_response(f"401 {API_KEY}", body, {"X-Echo": f"key={API_KEY}"})])
    caplog.set_level(logging.DEBUG)
    client = AuthenticatedClient(token=API_KEY, base_url=raw_server.base_url, max_retries=0)
    if mode == "sync":
        with client, pytest.raises(errors.AuthenticationError) as raised:
            get_instance.sync("x", client=client)
    else:

        async def fetch() -> None:
            async with client:
                await get_instance.asyncio("x", client=client)

        with pytest.raises(errors.AuthenticationError) as raised:
            asyncio.run(fetch())
    assert API_KEY in raised.value.response.headers["x-echo"]  # the server did echo it
    loggers = {record.name for record in caplog.records}
    assert {"httpx", "httpcore.http11"} <= loggers
    assert API_KEY not in caplog.text
    assert '"HTTP/1.1 401 <hidden>"' in caplog.text
    assert "key=<hidden>" in caplog.text
    assert API_KEY not in exception_texts(raised.value).replace(raised.value.response.headers["x-echo"], "")


def test_the_log_filter_leaves_records_without_a_key_untouched(caplog: pytest.LogCaptureFixture) -> None:
    AuthenticatedClient(token=API_KEY)
    caplog.set_level(logging.INFO)
    logging.getLogger("httpx").info("HTTP Request: %s %s", "GET", "https://example.com")
    (record,) = caplog.records
    assert record.getMessage() == "HTTP Request: GET https://example.com"
    assert record.args == ("GET", "https://example.com")
