"""`GET /projects` (cursor-paginated, limit 1 to 100) and `GET /projects/{projectId}`, and a project's body."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from contract_tests.mock_api.backend import MockBackend
from contract_tests.mock_api.entities import Project, iso
from contract_tests.mock_api.journal import Journal
from contract_tests.mock_api.resources import api_key, listing, ok_data, route
from contract_tests.mock_api.resources.params import cursor_params
from contract_tests.mock_api.rest import Query, ok, path_id


def project_body(project: Project) -> dict[str, Any]:
    return {
        "projectId": project.project_id,
        "name": project.name,
        "createdAt": iso(project.created_at),
        "inactivityTimeoutSeconds": 7200,
        "failFast": project.project_id == "Prj9Zb",
    }


def routes(backend: MockBackend, journal: Journal) -> list[Route]:
    async def list_projects(request: Request) -> Response:
        page = backend.list_projects(api_key(request), cursor_params(Query(request), 100))
        return ok(listing(page, lambda p: {**project_body(p), "cursor": p.cursor}))

    async def get_project(request: Request) -> Response:
        project_id = path_id(request, "projectId")
        project = backend.project(api_key(request), project_id, "Insufficient permissions to access this project")
        return ok_data(project_body(project))

    return [
        route("/projects", {"GET": list_projects}, journal),
        route("/projects/{projectId}", {"GET": get_project}, journal),
    ]
