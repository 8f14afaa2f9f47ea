"""`GET /projects/{projectId}/insights`, `GET /errors/{projectId}`, and `PUT /runs/cancel-ci/github`.

The first two are computed from the world's runs and executions (`analytics`); the cancel matches a run by
its GitHub Actions workflow run id and attempt (`project_settings`).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from contract_tests.mock_api import analytics
from contract_tests.mock_api.backend import MockBackend
from contract_tests.mock_api.journal import Journal
from contract_tests.mock_api.project_settings import ProjectSettings
from contract_tests.mock_api.resources import api_key, route
from contract_tests.mock_api.rest import Query, json_body, ok, path_id


def routes(backend: MockBackend, journal: Journal) -> list[Route]:
    settings = ProjectSettings(backend)

    async def get_insights(request: Request) -> Response:
        data = analytics.insights(backend, api_key(request), path_id(request, "projectId"), Query(request))
        return ok({"status": "OK", "data": data})

    async def get_errors(request: Request) -> Response:
        data = analytics.errors_explorer(backend, api_key(request), path_id(request, "projectId"), Query(request))
        return ok({"status": "OK", "data": data})

    async def cancel_by_github_ci(request: Request) -> Response:
        body = await json_body(request)
        return ok({"status": "OK", "data": settings.cancel_by_github_ci(api_key(request), body)})

    return [
        route("/projects/{projectId}/insights", {"GET": get_insights}, journal),
        route("/errors/{projectId}", {"GET": get_errors}, journal),
        route("/runs/cancel-ci/github", {"PUT": cancel_by_github_ci}, journal),
    ]
