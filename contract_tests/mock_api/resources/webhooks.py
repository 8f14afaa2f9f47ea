"""Webhooks: list (by `projectId`, unpaged), create (201), get, update, delete (404 afterwards)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from contract_tests.mock_api.backend import MockBackend
from contract_tests.mock_api.journal import Journal
from contract_tests.mock_api.project_settings import ProjectSettings
from contract_tests.mock_api.resources import api_key, route
from contract_tests.mock_api.resources.actions import created
from contract_tests.mock_api.rest import Query, json_body, ok, path_id


def routes(backend: MockBackend, journal: Journal) -> list[Route]:
    settings = ProjectSettings(backend)

    async def list_webhooks(request: Request) -> Response:
        return ok({"status": "OK", "data": settings.list_webhooks(api_key(request), Query(request))})

    async def create_webhook(request: Request) -> Response:
        query = Query(request)
        body = await json_body(request)
        return created(settings.create_webhook(api_key(request), query, body))

    async def get_webhook(request: Request) -> Response:
        return ok({"status": "OK", "data": settings.get_webhook(api_key(request), path_id(request, "hookId"))})

    async def update_webhook(request: Request) -> Response:
        body = await json_body(request)
        hook = settings.update_webhook(api_key(request), path_id(request, "hookId"), body)
        return ok({"status": "OK", "data": hook})

    async def delete_webhook(request: Request) -> Response:
        return ok({"status": "OK", "data": settings.delete_webhook(api_key(request), path_id(request, "hookId"))})

    return [
        route("/webhooks", {"GET": list_webhooks, "POST": create_webhook}, journal),
        route("/webhooks/{hookId}", {"GET": get_webhook, "PUT": update_webhook, "DELETE": delete_webhook}, journal),
    ]
