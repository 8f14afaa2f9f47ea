"""The mock's ASGI middleware: the guarantees every operation keeps, whatever its resource module does.

From the outside in (`app.create_app` stacks them in this order):
1. `NeverServerError`: an exception that escapes a handler becomes `400 {"status": "FAILED", ...}` instead
   of Starlette's 500, and is kept in `Journal.faults` (with its traceback on standard error), so a test
   can fail on it. The mock is a test double: a 5xx would be read as Currents' own outage.
2. `AuthenticateFirst`: `401 Invalid API key provided` with `WWW-Authenticate` unless the request carries
   exactly one `Authorization: Bearer <known key>` header. It runs before routing, for every path and
   method, so an unauthenticated probe learns nothing about routes, methods or ids. The key found is put in
   `scope["state"]["api_key"]` for the resources' scope checks. Every request is counted in the journal
   first, authenticated or not (the write guard's test reads the methods the mock received).
3. `RawPathRouting`: Starlette routes on the decoded `path`, where `%2F` has become `/`. This middleware
   splits the undecoded `raw_path` on `/` first, percent-decodes each segment on its own, and hands the
   router a path whose segments are percent-encoded again (`rest.path_id` decodes them once). So
   `/v1/runs/a%2Fb` is the run `a/b`, never the path `/v1/runs/a/b`, and `/v1/%72uns/x` still routes
   like `/v1/runs/x`. Without `raw_path` (optional in ASGI) the decoded `path` is used.

Limits: HTTP scopes only; WebSocket and lifespan scopes pass through to the router (which closes a
WebSocket before accepting it).
"""

from __future__ import annotations

import json
import sys
import traceback
from urllib.parse import quote_from_bytes, unquote_to_bytes

from contract_tests.mock_api.asgi import ASGIApp, Message, Receive, Scope, Send
from contract_tests.mock_api.journal import Journal
from contract_tests.mock_api.keys import KeyRing

_BLANKS = b" \t"
UNAUTHORIZED_ERROR = "Invalid API key provided"
UNPROCESSABLE_REQUEST_ERROR = "The mock could not process this request"


async def send_failed(send: Send, status: int, error: str, headers: list[tuple[bytes, bytes]] | None = None) -> None:
    body = json.dumps({"status": "FAILED", "error": error}).encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode("ascii")),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class NeverServerError:
    """Turn an escaped exception into a 400 FAILED envelope, and keep it in the journal."""

    def __init__(self, app: ASGIApp, journal: Journal) -> None:
        self.app = app
        self.journal = journal

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("type") != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            if message.get("type") == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as error:  # the last line of the never-5xx guarantee; recorded, never hidden
            self.journal.fault(f"{scope.get('method')} {scope.get('raw_path') or scope.get('path')!r}: {error!r}")
            traceback.print_exc(file=sys.stderr)
            if not started:
                await send_failed(send, 400, UNPROCESSABLE_REQUEST_ERROR)


def bearer_token(headers: object) -> bytes | None:
    """The key of the one `Authorization: Bearer <key>` header, else None (missing, repeated, malformed)."""
    if not isinstance(headers, list | tuple):
        return None
    values = [
        pair[1]
        for pair in headers
        if isinstance(pair, list | tuple)
        and len(pair) == 2
        and isinstance(pair[0], bytes)
        and isinstance(pair[1], bytes)
        and pair[0].lower() == b"authorization"
    ]
    if len(values) != 1:
        return None
    scheme, _, key = values[0].strip(_BLANKS).partition(b" ")
    key = key.strip(_BLANKS)
    if scheme.lower() != b"bearer" or not key or any(blank in key for blank in _BLANKS):
        return None
    return key


class AuthenticateFirst:
    """401 for any request without exactly one known Bearer key, before any routing."""

    def __init__(self, app: ASGIApp, keys: KeyRing, journal: Journal) -> None:
        self.app = app
        self.keys = keys
        self.journal = journal

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("type") != "http":
            await self.app(scope, receive, send)
            return
        self.journal.received(str(scope.get("method")), scope.get("raw_path") or scope.get("path"))
        token = bearer_token(scope.get("headers"))
        key = self.keys.find(token) if token is not None else None
        if key is None:
            await send_failed(send, 401, UNAUTHORIZED_ERROR, [(b"www-authenticate", b'Bearer realm="currents-mock"')])
            return
        state = scope.get("state")
        scope["state"] = {**(state if isinstance(state, dict) else {}), "api_key": key}
        await self.app(scope, receive, send)


def routing_path(scope: Scope) -> str | None:
    """The path to route on: each raw segment decoded, then encoded again on its own (module docstring)."""
    raw_path = scope.get("raw_path")
    if isinstance(raw_path, bytes):
        segments = [unquote_to_bytes(segment) for segment in raw_path.partition(b"?")[0].split(b"/")]
    else:
        path = scope.get("path")
        if not isinstance(path, str):
            return None
        segments = path.encode("utf-8", "surrogatepass").split(b"/")
    return "/".join(quote_from_bytes(segment, safe="") for segment in segments)


class RawPathRouting:
    """Give the router a path whose segments come from `raw_path`, so an encoded `/` stays inside an id."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("type") == "http":
            path = routing_path(scope)
            scope = {**scope, "path": path if path is not None else "", "root_path": ""}
        await self.app(scope, receive, send)
