"""Fixtures of the contract tests: the embedded mock API on a free loopback port, the keys it accepts, and a
hostile server that echoes the key back."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from contract_tests.mock_api.app import create_app
from contract_tests.mock_api.asgi import Message, Receive, Scope, Send
from contract_tests.mock_api.keys import load_keys
from contract_tests.mock_api.server import serve_in_thread


def demo_key() -> str:
    """The mock's key that may read every project."""
    key = load_keys().first_with_every_project()
    assert key is not None, "keys.yaml needs a key with projects: ['*']"
    return key.value


@pytest.fixture(scope="session")
def mock_api() -> Iterator[str]:
    """The mock Currents API, served for the whole session; yields its base URL (`http://127.0.0.1:PORT/v1`)."""
    with serve_in_thread(create_app()) as base_url:
        yield base_url


# A key with characters that JSON, HTML and XML each escape, so that every escaped form of it is tried.
ECHOED_KEY = "echo-key&<k>\"'/0123456789"


class EchoingApi:
    """The mock behind a hostile proxy that echoes the `Authorization` header it receives: in an
    `x-echo` response header, in a `data.echoedAuthorization` field of a 200 (an `echoedAuthorization`
    field beside a listing's `data` array), and as the whole body
    of any other status (`{"message": "you sent Bearer <key>"}`, which the spec's ErrorResponse
    refuses, so that schemathesis shows the body in its failures and reports)."""

    def __init__(self) -> None:
        self.inner = create_app(extra_key=ECHOED_KEY)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.inner(scope, receive, send)
            return
        echoed = dict(scope["headers"]).get(b"authorization", b"").decode("latin-1")
        status = 0

        async def echo(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                return
            body = json.loads(message["body"]) if message["body"] else None
            if status == 200 and isinstance(body, dict):
                # into the object of a single resource; beside a listing's array
                where = body["data"] if isinstance(body.get("data"), dict) else body
                where["echoedAuthorization"] = echoed
            elif body is not None:
                body = {"message": f"you sent {echoed}"}
            content = json.dumps(body).encode() if body is not None else b""
            headers = [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(content)).encode()),
                (b"x-echo", echoed.encode("latin-1")),
            ]
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": content})

        await self.inner(scope, receive, echo)


@pytest.fixture(scope="session")
def echoing_api() -> Iterator[str]:
    """A server that echoes the key it is sent (see `EchoingApi`); it accepts `ECHOED_KEY`. Yields its base URL."""
    with serve_in_thread(EchoingApi()) as base_url:
        yield base_url
