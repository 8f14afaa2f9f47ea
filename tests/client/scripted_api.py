"""A scripted stand-in for the Currents API: an ASGI app that answers each request with the next reply it
was given and records every request it received. Served on loopback by the mock's `serve_in_thread`."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from contract_tests.mock_api.asgi import Receive, Scope, Send


@dataclass(frozen=True)
class Reply:
    """One scripted answer: a status, a body (a dict is sent as JSON), headers, and a delay before answering."""

    status: int = 200
    body: dict[str, Any] | bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0

    def encoded(self) -> tuple[bytes, list[tuple[bytes, bytes]]]:
        headers = {k.lower(): v for k, v in self.headers.items()}
        if isinstance(self.body, dict):
            body = json.dumps(self.body).encode()
            headers.setdefault("content-type", "application/json")
        else:
            body = self.body
        return body, [(k.encode(), v.encode()) for k, v in headers.items()]


def failed(status: int, error: str, headers: dict[str, str] | None = None) -> Reply:
    """A reply with the API's FAILED envelope."""
    return Reply(status, {"status": "FAILED", "error": error}, headers or {})


@dataclass(frozen=True)
class Received:
    """What the server saw of one request."""

    method: str
    raw_path: str
    headers: dict[str, str]
    query: str = ""  # the raw query string, as sent
    body: bytes = b""


class ScriptedAPI:
    """Answers with the scripted replies in order; the last one repeats. Records each request.

    `respond_with` scripts a function instead, which makes the reply to each request from what was received
    so far (the request itself is the last item)."""

    def __init__(self) -> None:
        self.replies: list[Reply] = [Reply()]
        self.responder: Callable[[list[Received]], Reply] | None = None
        self.received: list[Received] = []

    def script(self, *replies: Reply) -> None:
        self.replies = list(replies)
        self.responder = None
        self.received = []

    def respond_with(self, responder: Callable[[list[Received]], Reply]) -> None:
        self.script()
        self.responder = responder

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        query = scope.get("query_string", b"").decode("latin-1")
        self.received.append(Received(scope["method"], scope["raw_path"].decode("latin-1"), headers, query, body))
        if self.responder is not None:
            reply = self.responder(list(self.received))
        else:
            reply = self.replies[min(len(self.received), len(self.replies)) - 1]
        if reply.delay:
            await asyncio.sleep(reply.delay)
        body, headers_out = reply.encoded()
        await send({"type": "http.response.start", "status": reply.status, "headers": headers_out})
        await send({"type": "http.response.body", "body": body})
