"""`GET /projects` (cursor-paginated, limit 1 to 100) and `GET /projects/{projectId}`."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from contract_tests.mock_api.backend import MockBackend
from contract_tests.mock_api.journal import Journal
from contract_tests.mock_api.resources import api_key, listing, route
from contract_tests.mock_api.rest import Query, ok, path_id


def routes(backend: MockBackend, journal: Journal) -> list[Route]:
    async def list_projects(request: Request) -> Response:
        page = backend.list_projects(api_key(request), Query(request))
        return ok(listing(page, lambda p: {**p.body(), "cursor": p.cursor}))

    async def get_project(request: Request) -> Response:
        project_id = path_id(request, "projectId")
        project = backend.project(api_key(request), project_id, "Insufficient permissions to access this project")
        return ok({"status": "OK", "data": project.body()})

    return [
        route("/projects", {"GET": list_projects}, journal),
        route("/projects/{projectId}", {"GET": get_project}, journal),
    ]
