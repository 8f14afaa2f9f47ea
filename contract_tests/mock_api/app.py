"""The mock's ASGI application: `GET /v1/instances/{instanceId}` with Bearer keys, no framework.

Scope: one route, `/v1/instances/{instanceId}`, mounted at the server root (a `root_path` is not
supported). Every answer is JSON with `content-type: application/json`: 200 is the stored
instance body, byte for byte; every other status is `{"status": "FAILED", "error": ...}`.

Order of decisions (`MockApi.decide`), first match wins:
1. 401 `Invalid API key provided`: the `Authorization` header is missing, repeated, not
   `Bearer <key>`, or names no known key. Authentication comes first, for every path and method,
   so an unauthenticated probe learns nothing (not which routes, methods or ids exist). This is
   also what schemathesis expects: `missing_required_header` wants 401 for a GET without the
   header, and `unsupported_method` excuses 401 on an operation that declares security.
2. 404 `Not found`: any other path.
3. 405 `Method not allowed` with `Allow: GET`: any method but GET on the route (HEAD, OPTIONS,
   TRACE, QUERY, POST, ...), whatever the id, so the answer does not depend on the id.
4. 404 `Instance not found`: no instance has this id.
5. 403 `Insufficient permissions to access this instance`: the key may not read its project.

Routing: the path is split on the `/` bytes of the undecoded `raw_path`, then each segment is
percent-decoded on its own, so `/v1/instances/a%2Fb` is the id `a/b` (an unknown instance, 404)
and never the path `/v1/instances/a/b`; `/v1/%69nstances/x` still matches, as the decoded `path`
would. Ids are compared as bytes, so an encoded invalid UTF-8 sequence is just an unknown id.
Without `raw_path` (it is optional in ASGI) the already-decoded `path` is split instead.

Never 5xx: `decide` is a total function of the scope. It only reads `type`-checked values,
decodes nothing as text (bytes throughout) and indexes nothing that may be absent, so no
request can make it raise; there is no catch-all `try`. Request bodies are never read.

Limits: no rate limiting (no 429), no query parameters, HTTP only (a WebSocket is closed before
accept, which servers answer with 403). Bodies are prepared at startup by `create_app`, which
raises a `UserError` for an unusable keys file, fixture or seed example.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote_to_bytes

from contract_tests.mock_api.asgi import Receive, Scope, Send
from contract_tests.mock_api.corpus import StoredInstance, load_instances
from contract_tests.mock_api.keys import KEYS_FILE, KeyRing, load_keys

ROUTE_PREFIX = (b"", b"v1", b"instances")
ALLOWED_METHODS = b"GET"
_BLANKS = b" \t"


@dataclass(frozen=True)
class Reply:
    """A complete answer: status, body bytes and headers beyond content-type and content-length."""

    status: int
    body: bytes
    headers: tuple[tuple[bytes, bytes], ...] = ()


def failed(status: int, error: str, headers: tuple[tuple[bytes, bytes], ...] = ()) -> Reply:
    body = json.dumps({"status": "FAILED", "error": error}).encode("utf-8")
    return Reply(status, body, headers)


UNAUTHORIZED = failed(401, "Invalid API key provided", ((b"www-authenticate", b'Bearer realm="currents-mock"'),))
FORBIDDEN = failed(403, "Insufficient permissions to access this instance")
INSTANCE_NOT_FOUND = failed(404, "Instance not found")
ROUTE_NOT_FOUND = failed(404, "Not found")
METHOD_NOT_ALLOWED = failed(405, "Method not allowed", ((b"allow", ALLOWED_METHODS),))


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


def path_segments(scope: Scope) -> list[bytes] | None:
    """The percent-decoded segments of the request path, split before decoding (see the module docstring)."""
    raw_path = scope.get("raw_path")
    if isinstance(raw_path, bytes):
        undecoded = raw_path.partition(b"?")[0]
        return [unquote_to_bytes(segment) for segment in undecoded.split(b"/")]
    path = scope.get("path")
    if isinstance(path, str):
        return path.encode("utf-8", "surrogatepass").split(b"/")
    return None


def route_instance_id(scope: Scope) -> bytes | None:
    """The `{instanceId}` of `/v1/instances/{instanceId}` as bytes, or None for any other path."""
    segments = path_segments(scope)
    if segments is None or len(segments) != len(ROUTE_PREFIX) + 1 or tuple(segments[:-1]) != ROUTE_PREFIX:
        return None
    return segments[-1] or None


class MockApi:
    """The ASGI application. `decide` holds all of the HTTP logic; `__call__` only speaks ASGI."""

    def __init__(self, keys: KeyRing, instances: Mapping[bytes, StoredInstance]) -> None:
        self.keys = keys
        self.instances = dict(instances)

    def decide(self, scope: Scope) -> Reply:
        """The answer to one HTTP request, in the order the module docstring gives."""
        token = bearer_token(scope.get("headers"))
        key = self.keys.find(token) if token is not None else None
        if key is None:
            return UNAUTHORIZED
        instance_id = route_instance_id(scope)
        if instance_id is None:
            return ROUTE_NOT_FOUND
        if scope.get("method") != "GET":
            return METHOD_NOT_ALLOWED
        instance = self.instances.get(instance_id)
        if instance is None:
            return INSTANCE_NOT_FOUND
        if not key.may_read(instance.project_id):
            return FORBIDDEN
        return Reply(200, instance.body)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope.get("type")
        if kind == "http":
            await respond(send, self.decide(scope))
        elif kind == "lifespan":
            await lifespan(receive, send)
        elif kind == "websocket":
            await receive()  # websocket.connect
            await send({"type": "websocket.close", "code": 1008})
        else:
            raise ValueError(f"unsupported ASGI scope type: {kind!r}")  # the ASGI spec asks apps to raise


async def respond(send: Send, reply: Reply) -> None:
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(reply.body)).encode("ascii")),
        *reply.headers,
    ]
    await send({"type": "http.response.start", "status": reply.status, "headers": headers})
    await send({"type": "http.response.body", "body": reply.body})


async def lifespan(receive: Receive, send: Send) -> None:
    """Acknowledge startup and shutdown; all the work was done by `create_app`."""
    while True:
        message = await receive()
        if message.get("type") == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message.get("type") == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


def create_app(keys_file: Path = KEYS_FILE, extra_key: str | None = None) -> MockApi:
    """The mock with the keys of `keys_file` (plus `extra_key`, which may read every project) and
    every instance of the corpus, loaded and serialized now. Raises a `UserError` for bad input."""
    return MockApi(load_keys(keys_file, extra_key), load_instances())
