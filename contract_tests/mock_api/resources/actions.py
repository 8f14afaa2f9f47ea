"""Actions: list (by `projectId`, `status`, `search`), create (201), get, update, delete (archive), enable, disable.

The handlers check the request (the `projectId`, the statuses asked for, the body's fields with
`settings_validation`) and ask the backend's `settings`; an action is answered as the backend shows it.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from contract_tests.mock_api.backend import MockBackend
from contract_tests.mock_api.journal import Journal
from contract_tests.mock_api.resources import api_key, ok_data, route
from contract_tests.mock_api.resources.params import required_project_id
from contract_tests.mock_api.resources.settings_validation import action_fields
from contract_tests.mock_api.rest import BadRequest, Query, json_body, path_id

ACTION_STATUSES = ("active", "disabled", "archived", "expired")
SEARCH_MAX_LENGTH = 100


def statuses_of(query: Query) -> list[str]:
    statuses = query.array("status", "status[]")
    for status in statuses:
        if status not in ACTION_STATUSES:
            raise BadRequest(f"status: must be one of {', '.join(ACTION_STATUSES)}")
    return statuses


def routes(backend: MockBackend, journal: Journal) -> list[Route]:
    settings = backend.settings

    async def list_actions(request: Request) -> Response:
        query = Query(request)
        project_id = settings.project(api_key(request), required_project_id(query), write=False)
        statuses = statuses_of(query)
        search = query.text("search", SEARCH_MAX_LENGTH) or ""
        return ok_data(settings.list_actions(project_id, statuses, search))

    async def create_action(request: Request) -> Response:
        query = Query(request)
        body = await json_body(request)
        key = api_key(request)
        project_id = settings.project(key, required_project_id(query), write=True)
        return ok_data(settings.create_action(key, project_id, action_fields(body, partial=False)), 201)

    async def get_action(request: Request) -> Response:
        return ok_data(settings.get_action(api_key(request), path_id(request, "actionId")))

    async def update_action(request: Request) -> Response:
        fields = action_fields(await json_body(request), partial=True)
        return ok_data(settings.update_action(api_key(request), path_id(request, "actionId"), fields))

    async def delete_action(request: Request) -> Response:
        action = settings.delete_action(api_key(request), path_id(request, "actionId"))
        return ok_data({"actionId": action["actionId"], "archived": True})

    async def enable_action(request: Request) -> Response:
        return ok_data(settings.enable_action(api_key(request), path_id(request, "actionId")))

    async def disable_action(request: Request) -> Response:
        return ok_data(settings.disable_action(api_key(request), path_id(request, "actionId")))

    return [
        route("/actions", {"GET": list_actions, "POST": create_action}, journal),
        route("/actions/{actionId}", {"GET": get_action, "PUT": update_action, "DELETE": delete_action}, journal),
        route("/actions/{actionId}/enable", {"PUT": enable_action}, journal),
        route("/actions/{actionId}/disable", {"PUT": disable_action}, journal),
    ]
