"""`GET /instances/{instanceId}`: the stored body, byte for byte."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from contract_tests.mock_api.backend import MockBackend
from contract_tests.mock_api.journal import Journal
from contract_tests.mock_api.resources import api_key, route
from contract_tests.mock_api.rest import path_id, raw


def routes(backend: MockBackend, journal: Journal) -> list[Route]:
    async def get_instance(request: Request) -> Response:
        return raw(backend.instance(api_key(request), path_id(request, "instanceId")).body)

    return [route("/instances/{instanceId}", {"GET": get_instance}, journal)]
