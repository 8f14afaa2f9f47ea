"""Webhooks: list (by `projectId`, unpaged), create (201), get, update, delete (404 afterwards).

The handlers check the request (the `projectId`, the body's fields with `settings_validation`) and ask the
backend's `settings`; a webhook is answered as it is stored.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from contract_tests.mock_api.backend import MockBackend
from contract_tests.mock_api.journal import Journal
from contract_tests.mock_api.resources import api_key, ok_data, route
from contract_tests.mock_api.resources.params import required_project_id
from contract_tests.mock_api.resources.settings_validation import webhook_fields
from contract_tests.mock_api.rest import Query, json_body, path_id


def routes(backend: MockBackend, journal: Journal) -> list[Route]:
    settings = backend.settings

    async def list_webhooks(request: Request) -> Response:
        project_id = settings.project(api_key(request), required_project_id(Query(request)), write=False)
        return ok_data(settings.list_webhooks(project_id))

    async def create_webhook(request: Request) -> Response:
        query = Query(request)
        body = await json_body(request)
        project_id = settings.project(api_key(request), required_project_id(query), write=True)
        return ok_data(settings.create_webhook(project_id, webhook_fields(body, partial=False)), 201)

    async def get_webhook(request: Request) -> Response:
        return ok_data(settings.get_webhook(api_key(request), path_id(request, "hookId")))

    async def update_webhook(request: Request) -> Response:
        fields = webhook_fields(await json_body(request), partial=True)
        return ok_data(settings.update_webhook(api_key(request), path_id(request, "hookId"), fields))

    async def delete_webhook(request: Request) -> Response:
        hook = settings.delete_webhook(api_key(request), path_id(request, "hookId"))
        return ok_data({"hookId": hook["hookId"], "projectId": hook["projectId"]})

    return [
        route("/webhooks", {"GET": list_webhooks, "POST": create_webhook}, journal),
        route("/webhooks/{hookId}", {"GET": get_webhook, "PUT": update_webhook, "DELETE": delete_webhook}, journal),
    ]
