"""Actions: list (by `projectId`, `status`, `search`), create (201), get, update, delete (archive), enable, disable."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from contract_tests.mock_api.backend import MockBackend
from contract_tests.mock_api.journal import Journal
from contract_tests.mock_api.project_settings import ProjectSettings
from contract_tests.mock_api.resources import api_key, route
from contract_tests.mock_api.rest import OKResponse, Query, json_body, ok, path_id


def created(data: Any) -> Response:
    return OKResponse({"status": "OK", "data": data}, status_code=201)


def routes(backend: MockBackend, journal: Journal) -> list[Route]:
    settings = ProjectSettings(backend)

    async def list_actions(request: Request) -> Response:
        return ok({"status": "OK", "data": settings.list_actions(api_key(request), Query(request))})

    async def create_action(request: Request) -> Response:
        query = Query(request)
        body = await json_body(request)
        return created(settings.create_action(api_key(request), query, body))

    async def get_action(request: Request) -> Response:
        return ok({"status": "OK", "data": settings.get_action(api_key(request), path_id(request, "actionId"))})

    async def update_action(request: Request) -> Response:
        body = await json_body(request)
        action = settings.update_action(api_key(request), path_id(request, "actionId"), body)
        return ok({"status": "OK", "data": action})

    async def delete_action(request: Request) -> Response:
        return ok({"status": "OK", "data": settings.delete_action(api_key(request), path_id(request, "actionId"))})

    async def enable_action(request: Request) -> Response:
        return ok({"status": "OK", "data": settings.enable_action(api_key(request), path_id(request, "actionId"))})

    async def disable_action(request: Request) -> Response:
        return ok({"status": "OK", "data": settings.disable_action(api_key(request), path_id(request, "actionId"))})

    return [
        route("/actions", {"GET": list_actions, "POST": create_action}, journal),
        route("/actions/{actionId}", {"GET": get_action, "PUT": update_action, "DELETE": delete_action}, journal),
        route("/actions/{actionId}/enable", {"PUT": enable_action}, journal),
        route("/actions/{actionId}/disable", {"PUT": disable_action}, journal),
    ]
