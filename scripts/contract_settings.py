"""The contract checks of Actions, Webhooks, Insights, the Errors Explorer and cancel by GitHub CI.

Scope, for `scripts.contract`:
- `settings_calls(target)`: the drift fetch's calls of the new operations. Reads: each discovered project's
  actions, webhooks, insights and errors, and the first discovered action and webhook. Writes, only where
  writes are allowed (always on the mock; live with `CONTRACT_ALLOW_WRITES=1` and the project set aside):
  an action's life cycle (create, get, update, disable, enable, delete, get) and a webhook's (create, get,
  update, delete), each on the object it created, named `CONTRACT_NAME`; and a cancel by GitHub CI, of the
  mock's example workflow run, or live of a workflow run id that names nothing (`NO_SUCH_GITHUB_RUN`: 404).
- `pin_settings(document)`: live mode with writes: what schemathesis may create is named `CONTRACT_NAME`,
  delivers nowhere (`CONTRACT_URL`, no events), and the by-id writes it generates name ids that cannot exist,
  so that only the stateful phase's links, from an object it created, change anything; the listings' links
  to a first item are dropped (that item is someone else's); cancel by CI must name the project.
- `drop_webhooks(document)`: live mode: the webhook operations leave schemathesis, whose reports would keep
  a webhook's custom headers (secrets); the drift fetch reads them with `headers` scrubbed.
- `cleanup(target)`: a context manager. Live with writes: after the checks, even when one failed, archive
  the actions and delete the webhooks named `CONTRACT_NAME` that were not there before, and only those.

Limits: the drift fetch's write calls run in order, each on the id the create answered; when the create
fails, the next calls name `MISSING_ID` and answer 404, which the fetch reports.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

CONTRACT_NAME = "currents-api-kit contract check (safe to delete)"
CONTRACT_URL = "https://contract-check.invalid/currents-api-kit"
NO_SUCH_ACTION = "contract-check-no-such-action"
NO_SUCH_HOOK = "00000000-0000-4000-8000-000000000000"
NO_SUCH_GITHUB_RUN = "0"
MISSING_ID = "contract-check-create-failed"
# The mock's seeded workflow run (contract_tests/mock_api/settings_seed.py), attempt 1: a run in progress.
MOCK_GITHUB_RUN = ("8123456789", 1)
SETTINGS_WRITES = frozenset(
    {"createAction", "updateAction", "deleteAction", "enableAction", "disableAction"}
    | {"createWebhook", "updateWebhook", "deleteWebhook", "cancelRunByGithubCI"}
)
WEBHOOK_OPERATIONS = frozenset({"listWebhooks", "getWebhook", "createWebhook", "updateWebhook", "deleteWebhook"})
# Statuses the drift fetch expects besides 200: a create's 201, and live a cancel by CI of no workflow run.
CREATED = frozenset({"createAction", "createWebhook"})

Call = tuple[str, str, Callable[..., Any]]


def settings_calls(target: Any) -> list[Call]:
    from currents_api_client.api.actions import get_action, list_actions
    from currents_api_client.api.errors_explorer import get_errors_explorer
    from currents_api_client.api.projects import get_project_insights
    from currents_api_client.api.webhooks import get_webhook, list_webhooks

    ids = target.ids
    end = dt.datetime.now(dt.UTC)
    start, stop = (end - dt.timedelta(days=3650)).isoformat(), end.isoformat()
    calls: list[Call] = []
    for project in ids.projects[:3]:
        calls += [
            ("listActions", project, partial(list_actions.sync_detailed, project_id=project)),
            ("listWebhooks", project, partial(list_webhooks.sync_detailed, project_id=project)),
            (
                "getProjectInsights",
                project,
                partial(get_project_insights.sync_detailed, project, date_start=start, date_end=stop),
            ),
            (
                "getErrorsExplorer",
                project,
                partial(get_errors_explorer.sync_detailed, project, date_start=start, date_end=stop),
            ),
        ]
    for action_id in ids.actions[:1]:
        calls.append(("getAction", action_id, partial(get_action.sync_detailed, action_id)))
    for hook_id in ids.webhooks[:1]:
        calls.append(("getWebhook", hook_id, partial(get_webhook.sync_detailed, hook_uuid(hook_id))))
    project = target.write_project or (ids.projects[0] if ids.projects else None)
    if target.allow_writes and project:
        calls += action_life_cycle(project) + webhook_life_cycle(project) + [cancel_by_ci(target, project)]
    return calls


def hook_uuid(hook_id: str) -> Any:
    import uuid

    try:
        return uuid.UUID(hook_id)
    except ValueError:
        return uuid.UUID(NO_SUCH_HOOK)


def action_life_cycle(project: str) -> list[Call]:
    """create -> get -> update -> disable -> enable -> delete (archive) -> get, on the action it created."""
    from currents_api_client.api.actions import (
        create_action,
        delete_action,
        disable_action,
        enable_action,
        get_action,
        update_action,
    )
    from currents_api_client.models import ActionResponse, CreateActionRequest, UpdateActionRequest

    created: dict[str, str] = {}
    body = CreateActionRequest.from_dict(
        {
            "name": CONTRACT_NAME,
            "description": "Created by the contract checks; it matches no test and expires at once.",
            "action": [{"op": "tag", "details": {"tags": ["contract-check"]}}],
            "matcher": {"op": "AND", "cond": [{"type": "testId", "op": "eq", "value": "contract-check-no-test"}]},
            "expiresAfter": (dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)).isoformat(),
        }
    )

    def create(*, client: Any) -> Any:
        response = create_action.sync_detailed(client=client, project_id=project, body=body)
        if response.status_code == 201 and isinstance(response.parsed, ActionResponse):
            created["id"] = response.parsed.data.action_id
        return response

    def on_it(call: Callable[..., Any], **arguments: Any) -> Callable[..., Any]:
        return lambda *, client: call(created.get("id", MISSING_ID), client=client, **arguments)

    update = UpdateActionRequest.from_dict({"description": "Updated by the contract checks."})
    return [
        ("createAction", project, create),
        ("getAction", "created", on_it(get_action.sync_detailed)),
        ("updateAction", "created", on_it(update_action.sync_detailed, body=update)),
        ("disableAction", "created", on_it(disable_action.sync_detailed)),
        ("enableAction", "created", on_it(enable_action.sync_detailed)),
        ("deleteAction", "created", on_it(delete_action.sync_detailed)),
        ("getAction", "archived", on_it(get_action.sync_detailed)),
    ]


def webhook_life_cycle(project: str) -> list[Call]:
    """create -> get -> update -> delete, on the webhook it created (which delivers nowhere)."""
    from currents_api_client.api.webhooks import create_webhook, delete_webhook, get_webhook, update_webhook
    from currents_api_client.models import CreateWebhookRequest, UpdateWebhookRequest, WebhookResponse

    created: dict[str, Any] = {}
    body = CreateWebhookRequest.from_dict({"url": CONTRACT_URL, "hookEvents": [], "label": CONTRACT_NAME})

    def create(*, client: Any) -> Any:
        response = create_webhook.sync_detailed(client=client, project_id=project, body=body)
        if response.status_code == 201 and isinstance(response.parsed, WebhookResponse):
            created["id"] = response.parsed.data.hook_id
        return response

    def on_it(call: Callable[..., Any], **arguments: Any) -> Callable[..., Any]:
        return lambda *, client: call(created.get("id", hook_uuid(NO_SUCH_HOOK)), client=client, **arguments)

    update = UpdateWebhookRequest.from_dict({"hookEvents": []})
    return [
        ("createWebhook", project, create),
        ("getWebhook", "created", on_it(get_webhook.sync_detailed)),
        ("updateWebhook", "created", on_it(update_webhook.sync_detailed, body=update)),
        ("deleteWebhook", "created", on_it(delete_webhook.sync_detailed)),
    ]


def cancel_by_ci(target: Any, project: str) -> Call:
    from currents_api_client.api.runs import cancel_run_by_github_ci
    from currents_api_client.models import CancelRunByGithubCIRequest

    run_id, attempt = MOCK_GITHUB_RUN if target.mode == "mock" else (NO_SUCH_GITHUB_RUN, 1)
    fields: dict[str, Any] = {"githubRunId": run_id, "githubRunAttempt": attempt}
    if target.mode == "live":
        fields["projectId"] = project
    body = CancelRunByGithubCIRequest.from_dict(fields)
    return ("cancelRunByGithubCI", run_id, partial(cancel_run_by_github_ci.sync_detailed, body=body))


def expected_status(operation_id: str, status: int, mode: str) -> bool:
    """Whether the drift fetch takes `status` as the answer it expects from `operation_id`."""
    if operation_id in CREATED:
        return status == 201
    if operation_id == "cancelRunByGithubCI" and mode == "live":
        return status == 404
    return status == 200


def scrub_webhook_headers(body: Any) -> Any:
    """A webhook answer with each `headers` value replaced, before drift shows or saves anything of it."""
    data = body.get("data") if isinstance(body, dict) else None
    for hook in data if isinstance(data, list) else [data]:
        if isinstance(hook, dict) and isinstance(hook.get("headers"), str):
            hook["headers"] = "REDACTED"
    return body


def pin_settings(document: dict[str, Any]) -> None:
    """Live mode with writes: what schemathesis may create or change is the contract's own (module docstring)."""
    schemas = document["components"]["schemas"]
    for name in ("CreateActionRequest", "UpdateActionRequest"):
        properties = schemas[name]["properties"]
        properties["name"] = {"type": "string", "enum": [CONTRACT_NAME]}
    for name in ("CreateWebhookRequest", "UpdateWebhookRequest"):
        properties = schemas[name]["properties"]
        properties["url"] = {"type": "string", "enum": [CONTRACT_URL]}
        properties["label"] = {"type": "string", "enum": [CONTRACT_NAME]}
        properties["hookEvents"] = {"type": "array", "maxItems": 0}
        properties.pop("headers", None)
    schemas["CreateActionRequest"]["required"] = sorted({"name", *schemas["CreateActionRequest"]["required"]})
    schemas["CreateWebhookRequest"]["required"] = sorted({"url", "label"})
    cancel = schemas["CancelRunByGithubCIRequest"]
    cancel["required"] = sorted({"projectId", *cancel["required"]})
    for item in document["paths"].values():
        for operation in item.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                if operation.get("operationId") in SETTINGS_WRITES and parameter.get("name") == "actionId":
                    parameter["schema"] = {"type": "string", "enum": [NO_SUCH_ACTION]}
                    parameter.pop("examples", None)
                if operation.get("operationId") in SETTINGS_WRITES and parameter.get("name") == "hookId":
                    parameter["schema"] = {"type": "string", "enum": [NO_SUCH_HOOK]}
                    parameter.pop("examples", None)
            if operation.get("operationId") in ("listActions", "listWebhooks"):
                for response in operation.get("responses", {}).values():
                    response.pop("links", None)


def drop_webhooks(document: dict[str, Any]) -> list[str]:
    """Remove the webhook operations and the links to them; return their operationIds."""
    dropped = []
    for item in document["paths"].values():
        for method, operation in list(item.items()):
            if isinstance(operation, dict) and operation.get("operationId") in WEBHOOK_OPERATIONS:
                dropped.append(operation["operationId"])
                del item[method]
    for item in document["paths"].values():
        for operation in item.values():
            if isinstance(operation, dict):
                for response in operation.get("responses", {}).values():
                    links = response.get("links", {})
                    for name in [n for n, link in links.items() if link.get("operationId") in WEBHOOK_OPERATIONS]:
                        del links[name]
    document["paths"] = {
        path: item
        for path, item in document["paths"].items()
        if any(isinstance(o, dict) and "operationId" in o for o in item.values())
    }
    return sorted(dropped)


def contract_objects(client: Any, project: str) -> tuple[set[str], set[str]]:
    """The ids of the actions (not archived) and webhooks named `CONTRACT_NAME` in `project`."""
    from currents_api_client.api.actions import list_actions
    from currents_api_client.api.webhooks import list_webhooks

    actions = list_actions.sync(client=client, project_id=project).data
    hooks = list_webhooks.sync(client=client, project_id=project).data
    return (
        {a.action_id for a in actions if a.name == CONTRACT_NAME and a.status != "archived"},
        {str(h.hook_id) for h in hooks if h.label == CONTRACT_NAME},
    )


@contextlib.contextmanager
def cleanup(target: Any, client_for: Callable[[Any], Any]) -> Iterator[None]:
    """Live with writes: archive or delete, afterwards, the contract's objects that the run created."""
    if not (target.mode == "live" and target.allow_writes and target.write_project):
        yield
        return
    from currents_api_client import errors
    from currents_api_client.api.actions import delete_action
    from currents_api_client.api.webhooks import delete_webhook

    from kit._cli import UserError

    try:
        with client_for(target) as client:
            before = contract_objects(client, target.write_project)
    except errors.CurrentsError as error:
        raise UserError(target.scrubber.text(f"cannot list the project set aside: {errors.describe(error)}")) from None
    try:
        yield
    finally:
        with client_for(target) as client:
            actions, hooks = contract_objects(client, target.write_project)
            for action_id in sorted(actions - before[0]):
                delete_action.sync_detailed(action_id, client=client)
            for hook_id in sorted(hooks - before[1]):
                delete_webhook.sync_detailed(hook_uuid(hook_id), client=client)
        print(
            f"contract: cleaned up {len(actions - before[0])} action(s) and {len(hooks - before[1])} webhook(s) "
            f"the checks created in project {target.write_project}"
        )
