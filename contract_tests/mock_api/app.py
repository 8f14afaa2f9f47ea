"""The mock's ASGI application: every operation of the spec on Starlette, over one stateful backend.

Scope: `create_app` builds a `MockApi`: the `MockBackend` (the world and its state), the `Journal`
(what the mock saw) and a Starlette `Router` with the routes of every module in `RESOURCES`, mounted at
the server root under `/v1` (a `root_path` is not supported). Every answer is JSON: 200 bodies as the
spec describes them (an instance is its stored body, byte for byte), and every other status the FAILED
envelope `{"status": "FAILED", "error": ...}`.

Why Starlette: twenty-eight operations with path ids, repeated and bracketed query arrays, dates and JSON
bodies. Its router, query parsing and request objects replace hand-written parsing; the guarantees the
mock keeps for every operation sit around it as middleware (`middleware`), in this order:
1. never a 5xx (`NeverServerError`);
2. authentication before anything else, 401 `Invalid API key provided` (`AuthenticateFirst`);
3. ids taken from the raw path, so `%2F` never changes the route (`RawPathRouting`);
then the router: 404 `Not found` for any other path (no slash redirects), and per path (`rest.Operations`)
405 `Method not allowed` with `Allow` for a method the spec does not declare there, HEAD included.
Within an operation the resource answers 404 for an unknown id before 403 for a key that may not reach it.

Webhooks: a run canceled (by the API or by CI) is POSTed to the project's subscribed webhooks, on loopback only
(`deliveries`); `MockApi.deliveries.wait()` waits for them.

Limits: no rate limiting (no 429), HTTP only (a WebSocket is closed before accept). Bodies are prepared at
startup; `create_app` raises a `UserError` for an unusable keys file, fixture or seed example.
"""

from __future__ import annotations

from pathlib import Path

from starlette.routing import Route, Router

from contract_tests.mock_api.asgi import Receive, Scope, Send
from contract_tests.mock_api.backend import MockBackend
from contract_tests.mock_api.deliveries import Deliveries
from contract_tests.mock_api.errors import INSTANCE_DENIED
from contract_tests.mock_api.errors import INSTANCE_NOT_FOUND as INSTANCE_NOT_FOUND_ERROR
from contract_tests.mock_api.journal import Journal
from contract_tests.mock_api.keys import KEYS_FILE, load_keys
from contract_tests.mock_api.middleware import UNAUTHORIZED_ERROR, AuthenticateFirst, NeverServerError, RawPathRouting
from contract_tests.mock_api.resources import (
    BASE_PATH,
    actions,
    analytics,
    explorers,
    instances,
    projects,
    results,
    runs,
    webhooks,
)
from contract_tests.mock_api.rest import Operations, failed

# Each resource module's `routes(backend, journal)`; a new resource is one more module here.
RESOURCES = (projects, runs, instances, explorers, results, actions, webhooks, analytics)

UNAUTHORIZED = failed(401, UNAUTHORIZED_ERROR)
FORBIDDEN = failed(403, INSTANCE_DENIED)
INSTANCE_NOT_FOUND = failed(404, INSTANCE_NOT_FOUND_ERROR)
ROUTE_NOT_FOUND_ERROR = "Not found"


async def not_found(scope: Scope, receive: Receive, send: Send) -> None:
    """The router's answer for a path no route matches (a WebSocket is closed, as Starlette does)."""
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 1008})
        return
    await failed(404, ROUTE_NOT_FOUND_ERROR)(scope, receive, send)


class MockApi:
    """The ASGI application, with the backend and the journal it serves from."""

    def __init__(self, backend: MockBackend, journal: Journal, keys_file: Path, extra_key: str | None) -> None:
        self.backend = backend
        self.journal = journal
        self.deliveries = Deliveries(backend.world, journal)  # webhooks told of run events, as Currents does
        backend.run_listeners.append(self.deliveries.notify)
        routes: list[Route] = [r for module in RESOURCES for r in module.routes(backend, journal)]
        router = Router(routes, redirect_slashes=False, default=not_found)
        keys = load_keys(keys_file, extra_key)
        self.app = NeverServerError(AuthenticateFirst(RawPathRouting(router), keys, journal), journal)
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)

    def served_operations(self) -> set[tuple[str, str]]:
        """(method, path template) of every operation the mock answers, as the spec writes them: `("get",
        "/runs/{runId}")`."""
        served = set()
        for route in self.routes:
            endpoint = route.endpoint
            if isinstance(endpoint, Operations):
                template = endpoint.template.removeprefix(BASE_PATH)
                served |= {(method.lower(), template) for method in endpoint.handlers}
        return served


def create_app(keys_file: Path = KEYS_FILE, extra_key: str | None = None) -> MockApi:
    """The mock with the keys of `keys_file` (plus `extra_key`, which may read and write every project)
    and a freshly built world. Raises a `UserError` for bad input."""
    return MockApi(MockBackend(), Journal(), keys_file, extra_key)
