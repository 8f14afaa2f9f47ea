"""Test results and signatures: `GET /test-results/{signature}` (cursor-paginated, limit 1 to 100) and
`POST /signature/test`, which computes the signature the results carry and stores nothing."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from contract_tests.mock_api.backend import MockBackend, result_item
from contract_tests.mock_api.journal import Journal
from contract_tests.mock_api.resources import api_key, listing, route
from contract_tests.mock_api.rest import Query, json_body, ok, path_id


def routes(backend: MockBackend, journal: Journal) -> list[Route]:
    async def list_test_results(request: Request) -> Response:
        page = backend.test_results(api_key(request), path_id(request, "signature"), Query(request))
        return ok(listing(page, result_item))

    async def create_signature(request: Request) -> Response:
        signature = backend.signature(api_key(request), await json_body(request))
        return ok({"status": "OK", "data": {"signature": signature}})

    return [
        route("/test-results/{signature}", {"GET": list_test_results}, journal),
        route("/signature/test", {"POST": create_signature}, journal),
    ]
