"""What keeps the contract run's writes its own: the bodies it sends, and live mode's pins and clean-up.

Scope, for `scripts.contract` and its drift fetch (`scripts.contract.plan`, `fetch`), naming no operation (the spec's
markers and links say which operation is which; see `scripts.contract.registry`):
- `body_for(document, operation, target, project)`: the body the drift fetch sends a write, by the request's
  schema, and the status that answers it where that is not the documented one. The actions and webhooks it
  creates are named `CONTRACT_NAME`, match no test and deliver nowhere (`CONTRACT_URL`, no events); a reset
  names a machine of the run; a cancel by GitHub CI names the mock's example workflow run, or live a workflow
  run id that names nothing (`NO_SUCH_GITHUB_RUN`: 404). Any other body is the spec's example.
- `pin_settings(document)`: live mode with writes: what schemathesis may create is named `CONTRACT_NAME` and
  delivers nowhere, and every operation on an object a create makes (`created_parameters`), reads included,
  names an id that cannot exist, so that only the stateful phase's links, from an object it created, reach
  one (a read of a discovered action would otherwise link on to its update); links that lead from elsewhere
  to such an object are dropped (it is someone else's); cancel by CI must name the project.
- `drop_secret_operations(document)`: live mode: the operations whose answers may hold a secret (the spec's
  `secret-fields`: a webhook's custom headers) leave schemathesis, whose reports would keep them; the drift
  fetch reads them with those fields replaced (`scrub_secret_fields`).
- `cleanup(target, client_for)`: a context manager. Live with writes: after the checks, even when one failed, archive
  the actions and delete the webhooks named `CONTRACT_NAME` that were not there before, and only those.

Limits: the drift fetch's writes run in order, each on the id the create answered; when the create fails,
the next calls name `MISSING_ID` and answer 404, which the fetch reports.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from scripts.contract.registry import (
    created_parameters,
    is_create,
    operations,
    parameters,
    remove_operations,
    secret_fields,
)

CONTRACT_NAME = "currents-api-kit contract check (safe to delete)"
CONTRACT_URL = "https://contract-check.invalid/currents-api-kit"
NO_SUCH_GITHUB_RUN = "0"
MISSING_ID = "contract-check-create-failed"
# Ids that name nothing, by parameter: what live schemathesis may send a write on an object it did not make.
NO_SUCH_OBJECT = {"actionId": "contract-check-no-such-action", "hookId": "00000000-0000-4000-8000-000000000000"}
NO_SUCH_HOOK = NO_SUCH_OBJECT["hookId"]
# The mock's seeded workflow run (contract_tests/mock_api/settings_seed.py), attempt 1: a run in progress.
MOCK_GITHUB_RUN = ("8123456789", 1)
REDACTED = "REDACTED"


def _request_schema(operation: dict[str, Any]) -> str:
    content = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    return str(content.get("schema", {}).get("$ref", "")).rsplit("/", 1)[-1]


def _reset_body(*, client: Any, arguments: dict[str, Any]) -> dict[str, Any]:
    """A reset of one machine of the run (read first), or of one that is not in it."""
    from currents_api_client.api.runs import get_run

    run = get_run.sync(next(iter(arguments.values())), client=client)
    machines = sorted({spec.machine_id for spec in run.data.specs or [] if spec.machine_id}) or ["none"]
    return {"machineId": machines[:1]}


def body_for(document: dict[str, Any], operation: dict[str, Any], target: Any, project: str) -> tuple[Any, int | None]:
    """The body the drift fetch sends `operation` (None: the spec's example, or no body) and the status it
    expects when that is not the documented one. A callable body is built when sent, from the client and
    the call's arguments."""
    schema = _request_schema(operation)
    if schema == "CreateActionRequest":
        return {
            "name": CONTRACT_NAME,
            "description": "Created by the contract checks; it matches no test and expires at once.",
            "action": [{"op": "tag", "details": {"tags": ["contract-check"]}}],
            "matcher": {"op": "AND", "cond": [{"type": "testId", "op": "eq", "value": "contract-check-no-test"}]},
            "expiresAfter": (dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)).isoformat(),
        }, None
    if schema == "UpdateActionRequest":
        return {"description": "Updated by the contract checks."}, None
    if schema == "CreateWebhookRequest":
        return {"url": CONTRACT_URL, "hookEvents": [], "label": CONTRACT_NAME}, None
    if schema == "UpdateWebhookRequest":
        return {"hookEvents": []}, None
    if schema == "RunResetRequest":
        return _reset_body, None
    if schema == "CancelRunByGithubCIRequest":
        if target.mode == "mock":
            return {"githubRunId": MOCK_GITHUB_RUN[0], "githubRunAttempt": MOCK_GITHUB_RUN[1]}, None
        return {"githubRunId": NO_SUCH_GITHUB_RUN, "githubRunAttempt": 1, "projectId": project}, 404
    return None, None


def scrub_secret_fields(operation: dict[str, Any], body: Any) -> Any:
    """`body` with each of the operation's `secret-fields` replaced, in its `data` (one object or a list)."""
    fields = secret_fields(operation)
    data = body.get("data") if isinstance(body, dict) else None
    for item in data if isinstance(data, list) else [data]:
        for name in fields:
            if isinstance(item, dict) and isinstance(item.get(name), str):
                item[name] = REDACTED
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
    created = created_parameters(document)
    on_created = set()
    for _, _, operation in operations(document):
        in_path = {p.get("name") for p in parameters(document, operation) if p.get("in") == "path"}
        if in_path & created:
            on_created.add(operation["operationId"])
    for _, method, operation in operations(document):
        if operation["operationId"] in on_created:
            resolved = []
            for parameter in parameters(document, operation):
                if parameter.get("name") in created:
                    no_such = NO_SUCH_OBJECT.get(parameter["name"], MISSING_ID)
                    parameter = {**parameter, "schema": {"type": "string", "enum": [no_such]}}
                    parameter.pop("examples", None)
                resolved.append(parameter)
            operation["parameters"] = resolved
        elif not is_create(document, method, operation):
            for response in operation.get("responses", {}).values():
                links = response.get("links", {})
                for link in [n for n, lk in links.items() if lk.get("operationId") in on_created]:
                    del links[link]


def drop_secret_operations(document: dict[str, Any]) -> list[str]:
    """Remove the operations the spec marks with `secret-fields`, and the links to them; return their ids."""
    return remove_operations(document, lambda _path, _method, operation: bool(secret_fields(operation)), prune=True)


def as_uuid(value: str) -> uuid.UUID:
    """`value` as a UUID, for a client parameter that takes one; a malformed one names no webhook."""
    try:
        return uuid.UUID(value)
    except ValueError:
        return uuid.UUID(NO_SUCH_HOOK)


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
                delete_webhook.sync_detailed(as_uuid(hook_id), client=client)
        print(
            f"contract: cleaned up {len(actions - before[0])} action(s) and {len(hooks - before[1])} webhook(s) "
            f"the checks created in project {target.write_project}"
        )
