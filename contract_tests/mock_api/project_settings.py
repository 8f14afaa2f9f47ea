"""Actions and webhooks as state of the mock's world, and cancel by GitHub Actions workflow run.

Scope: `ProjectSettings(backend, clock)` answers the Actions, Webhooks and cancel-by-CI operations over
`backend.world` (`actions`, `webhooks`, `github_runs`), with the backend's access rules: a project's
settings are read with the `read` scope and changed with `write` (403 otherwise, the read-only key on every
write); a key reaches only its projects' settings; an unknown id is 404 before any permission check.

Life cycle of an action: created `active`; `disable` and `enable` switch it; `delete` archives it (soft
delete, it still reads, as `archived`, and cannot be changed again: 400); an action whose `expiresAfter` has
passed by `clock()` reads `expired` until it is given a later one. A webhook is created, updated and
deleted (404 afterwards). Bodies are checked by `settings_validation` (400 naming the field).

Cancel by CI: `githubRunAttempt` is taken as a number or a string of digits (Currents' GitHub action sends
a string); the run of that (githubRunId, attempt) is canceled, 404 when none matches (or it is not in
`projectId`, or its `meta.ciBuildId` is not `ciBuildId`), 422 `Run is cancelled` when it already was.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from typing import Any

from contract_tests.mock_api import settings_seed
from contract_tests.mock_api.backend import MockBackend
from contract_tests.mock_api.keys import ApiKey
from contract_tests.mock_api.rest import BadRequest, Query, Refused, parse_integer
from contract_tests.mock_api.settings_validation import action_fields, parse_moment, text, webhook_fields
from contract_tests.mock_api.world import iso

ACTION_NOT_FOUND = "Action not found"
WEBHOOK_NOT_FOUND = "Webhook not found"
READ_DENIED = "Insufficient permissions to access this project"
WRITE_DENIED = "Insufficient permissions to change this project"
RUN_IS_CANCELLED = "Run is cancelled"
ACTION_STATUSES = ("active", "disabled", "archived", "expired")
Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def actor(key: ApiKey) -> str:
    return f"api:{key.name}"


class ProjectSettings:
    def __init__(self, backend: MockBackend, clock: Clock = utc_now) -> None:
        self.backend = backend
        self.world = backend.world
        self.clock = clock
        self.created = 0

    # Access

    def project_of_query(self, key: ApiKey, query: Query, write: bool) -> str:
        project_id = query.text("projectId")
        if not project_id:
            raise BadRequest("projectId: is required")
        project = self.backend.project(key, project_id, READ_DENIED).project_id
        if write and not key.may_write(project):
            raise Refused(WRITE_DENIED, 403)
        return project

    def reach(self, key: ApiKey, project_id: str, write: bool) -> None:
        allowed = key.may_write(project_id) if write else key.may_read(project_id)
        if not allowed:
            raise Refused(WRITE_DENIED if write else READ_DENIED, 403)

    # Actions

    def shown(self, body: dict[str, Any]) -> dict[str, Any]:
        """An action as the API answers it: `expired` once its `expiresAfter` has passed (unless archived)."""
        shown = copy.deepcopy(body)
        expiry = parse_moment(body["expiresAfter"]) if isinstance(body.get("expiresAfter"), str) else None
        if body["status"] != "archived" and expiry is not None and expiry <= self.clock():
            shown["status"] = "expired"
        return shown

    def stored_action(self, key: ApiKey, action_id: str | None, write: bool) -> dict[str, Any]:
        found = self.world.actions.get(action_id) if action_id is not None else None
        if found is None:
            raise Refused(ACTION_NOT_FOUND, 404)
        project_id, body = found
        self.reach(key, project_id, write)
        return body

    def list_actions(self, key: ApiKey, query: Query) -> list[dict[str, Any]]:
        project_id = self.project_of_query(key, query, write=False)
        statuses = query.array("status", "status[]")
        for status in statuses:
            if status not in ACTION_STATUSES:
                raise BadRequest(f"status: must be one of {', '.join(ACTION_STATUSES)}")
        search = query.text("search", 100) or ""
        chosen = []
        for pid, body in self.world.actions.values():
            shown = self.shown(body)
            if pid != project_id or (statuses and shown["status"] not in statuses):
                continue
            if search.lower() not in shown["name"].lower():
                continue
            chosen.append(shown)
        return sorted(chosen, key=lambda a: (a["createdAt"], a["actionId"]), reverse=True)

    def create_action(self, key: ApiKey, query: Query, body: Any) -> dict[str, Any]:
        project_id = self.project_of_query(key, query, write=True)
        fields = action_fields(body, partial=False)
        self.created += 1
        action_id = "act_" + settings_seed.digest("created", project_id, str(self.created), iso(self.clock()))[:10]
        while action_id in self.world.actions:
            self.created += 1
            action_id = "act_" + settings_seed.digest("created", project_id, str(self.created))[:10]
        now = iso(self.clock())
        stored = settings_seed.action_body(project_id, 0, fields["name"], fields["action"][0], fields["matcher"])
        stored.update(fields, actionId=action_id, createdAt=now, createdBy=actor(key))
        self.world.actions[action_id] = (project_id, stored)
        return self.shown(stored)

    def get_action(self, key: ApiKey, action_id: str | None) -> dict[str, Any]:
        return self.shown(self.stored_action(key, action_id, write=False))

    def changeable(self, key: ApiKey, action_id: str | None) -> dict[str, Any]:
        stored = self.stored_action(key, action_id, write=True)
        if stored["status"] == "archived":
            raise BadRequest("status: the action is archived and cannot be changed")
        return stored

    def touched(self, stored: dict[str, Any], key: ApiKey, **changes: Any) -> dict[str, Any]:
        stored.update(changes, updatedAt=iso(self.clock()), updatedBy=actor(key))
        return self.shown(stored)

    def update_action(self, key: ApiKey, action_id: str | None, body: Any) -> dict[str, Any]:
        fields = action_fields(body, partial=True)
        return self.touched(self.changeable(key, action_id), key, **fields)

    def enable_action(self, key: ApiKey, action_id: str | None) -> dict[str, Any]:
        return self.touched(self.changeable(key, action_id), key, status="active", disabledAt=None, disabledBy=None)

    def disable_action(self, key: ApiKey, action_id: str | None) -> dict[str, Any]:
        now = iso(self.clock())
        stored = self.changeable(key, action_id)
        return self.touched(stored, key, status="disabled", disabledAt=now, disabledBy=actor(key))

    def delete_action(self, key: ApiKey, action_id: str | None) -> dict[str, Any]:
        stored = self.stored_action(key, action_id, write=True)
        if stored["status"] != "archived":
            now = iso(self.clock())
            self.touched(stored, key, status="archived", archivedAt=now, archivedBy=actor(key))
        return {"actionId": stored["actionId"], "archived": True}

    # Webhooks

    def stored_webhook(self, key: ApiKey, hook_id: str | None, write: bool) -> dict[str, Any]:
        hook = self.world.webhooks.get(hook_id.lower()) if hook_id is not None else None
        if hook is None:
            raise Refused(WEBHOOK_NOT_FOUND, 404)
        self.reach(key, hook["projectId"], write)
        return hook

    def list_webhooks(self, key: ApiKey, query: Query) -> list[dict[str, Any]]:
        project_id = self.project_of_query(key, query, write=False)
        hooks = [copy.deepcopy(h) for h in self.world.webhooks.values() if h["projectId"] == project_id]
        return sorted(hooks, key=lambda h: (str(h["createdAt"]), h["hookId"]))

    def create_webhook(self, key: ApiKey, query: Query, body: Any) -> dict[str, Any]:
        project_id = self.project_of_query(key, query, write=True)
        fields = webhook_fields(body, partial=False)
        self.created += 1
        hook_id = settings_seed.hook_id(project_id, 1000 + self.created)
        while hook_id in self.world.webhooks:
            self.created += 1
            hook_id = settings_seed.hook_id(project_id, 1000 + self.created)
        hook = {
            "hookId": hook_id,
            "projectId": project_id,
            "url": fields["url"],
            "headers": fields.get("headers"),
            "hookEvents": fields.get("hookEvents", []),
            "label": fields.get("label"),
            "createdAt": iso(self.clock()),
            "updatedAt": None,
        }
        self.world.webhooks[hook_id] = hook
        return copy.deepcopy(hook)

    def get_webhook(self, key: ApiKey, hook_id: str | None) -> dict[str, Any]:
        return copy.deepcopy(self.stored_webhook(key, hook_id, write=False))

    def update_webhook(self, key: ApiKey, hook_id: str | None, body: Any) -> dict[str, Any]:
        fields = webhook_fields(body, partial=True)
        hook = self.stored_webhook(key, hook_id, write=True)
        hook.update(fields, updatedAt=iso(self.clock()))
        return copy.deepcopy(hook)

    def delete_webhook(self, key: ApiKey, hook_id: str | None) -> dict[str, Any]:
        hook = self.stored_webhook(key, hook_id, write=True)
        del self.world.webhooks[hook["hookId"]]
        return {"hookId": hook["hookId"], "projectId": hook["projectId"]}

    # Cancel by GitHub Actions workflow run

    def cancel_by_github_ci(self, key: ApiKey, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise BadRequest("body: must be a JSON object")
        github_run_id = body.get("githubRunId")
        if not isinstance(github_run_id, str) or not github_run_id:
            raise BadRequest("githubRunId: is required, a non-empty string")
        attempt = github_attempt(body.get("githubRunAttempt"))
        scope = {}
        for name in ("projectId", "ciBuildId"):
            if name in body:
                scope[name] = text(body[name], name, 1)
        run_id = self.world.github_runs.get((github_run_id, attempt))
        run = self.world.runs.get(run_id) if run_id is not None else None
        if run is None or ("projectId" in scope and run.project_id != scope["projectId"]):
            raise Refused("Run not found", 404)
        if "ciBuildId" in scope and run.body["meta"].get("ciBuildId") != scope["ciBuildId"]:
            raise Refused("Run not found", 404)
        if not key.may_write(run.project_id):
            raise Refused("Insufficient permissions to cancel this run", 403)
        if run.completion_state == "CANCELED":
            raise Refused(RUN_IS_CANCELLED, 422)
        cancelled = self.backend.cancel_run(key, run.run_id)
        return {"runId": run.run_id, "cancelled": True, "cancelledAt": cancelled["canceledAt"]}


def github_attempt(value: Any) -> int:
    """A workflow run attempt, from 1: a JSON integer, or a string of digits as Currents' GitHub action sends."""
    if isinstance(value, bool):
        value = None
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # JSON's 2.0 is the integer 2, as JSON Schema reads it
    if isinstance(value, str):
        value = parse_integer(value) if value.isascii() and value.isdigit() and not value.startswith("0") else None
    if not isinstance(value, int) or value < 1:
        raise BadRequest("githubRunAttempt: must be an integer from 1, or a string of its digits")
    return value
