"""The mock's resources, one module per Currents resource; each handler reads the request and asks the backend.

Each resource module has `routes(backend, journal) -> list[Route]`. `app.create_app` mounts every module
listed in `app.RESOURCES`, so a new resource (artifacts, say) is one module with its routes, added there.
Beside them, the HTTP layer's helpers: `params` (query readers), `settings_validation` (the Actions and
Webhooks bodies) and `insights_views` (the bodies of `analytics`).

`route(template, handlers, journal)` makes one Starlette `Route` from the spec's path template (with the
`/v1` base path), served by `rest.Operations`: the handlers by method, 405 with `Allow` for the rest, and
the backend's domain errors as their statuses. A handler reads the request into plain arguments
(`params`), calls the backend, and builds the answer: `ok_data` and `listing` are the envelopes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from contract_tests.mock_api.journal import Journal
from contract_tests.mock_api.keys import ApiKey
from contract_tests.mock_api.pagination import CursorPage
from contract_tests.mock_api.rest import Handler, Operations, ok

BASE_PATH = "/v1"


def route(template: str, handlers: Mapping[str, Handler], journal: Journal) -> Route:
    """A route for `template` (a spec path such as `/runs/{runId}`) answering `handlers` by method."""
    return Route(BASE_PATH + template, Operations(BASE_PATH + template, handlers, journal))


def api_key(request: Request) -> ApiKey:
    """The key `middleware.AuthenticateFirst` found for this request."""
    return cast(ApiKey, request.scope["state"]["api_key"])


def listing(page: CursorPage, item: Any) -> dict[str, Any]:
    """A cursor-paginated listing body: `{status, has_more, data}`, each item made by `item`."""
    return {"status": "OK", "has_more": page.has_more, "data": [item(i) for i in page.items]}


def ok_data(data: Any, status: int = 200) -> Response:
    """The OK envelope `{"status": "OK", "data": ...}` (a create answers it with 201)."""
    return ok({"status": "OK", "data": data}, status)
