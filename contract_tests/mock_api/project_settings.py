"""Actions and webhooks as state of the mock's world, and cancel by GitHub Actions workflow run.

Scope: `ProjectSettings(backend, clock)`, the backend's `settings`, answers the Actions, Webhooks and
cancel-by-CI operations over `backend.world` (`actions`, `webhooks`, `github_runs`) in domain terms (checked
fields in, stored bodies out, the domain errors of `errors`), with the backend's access rules: a project's
settings are read with the `read` scope and changed with `write` (`Denied` otherwise, the read-only key on
every write); a key reaches only its projects' settings; an unknown id is `NotFound` before any permission
check.

Life cycle of an action: created `active`; `disable` and `enable` switch it; `delete` archives it (soft
delete, it still reads, as `archived`, and cannot be changed again: `Invalid`); an action whose `expiresAfter`
has passed by `clock()` reads `expired` until it is given a later one. A webhook is created, updated and
deleted (not found afterwards). The handlers check the bodies first (`resources.settings_validation`).

Cancel by CI: the run of a (GitHub run id, attempt) is canceled, `NotFound` when none matches (or it is not
in the project given, or its `meta.ciBuildId` is not the one given), `Conflict` (`Run is cancelled`) when it
already was.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from typing import Any, Protocol

from contract_tests.mock_api import settings_seed
from contract_tests.mock_api.entities import Project, Run, World, iso, parse_moment
from contract_tests.mock_api.errors import (
    ACTION_NOT_FOUND,
    RUN_NOT_FOUND,
    WEBHOOK_NOT_FOUND,
    Conflict,
    Denied,
    Invalid,
    NotFound,
)
from contract_tests.mock_api.keys import ApiKey


class Backend(Protocol):
    """What the settings take of the backend that makes them (`backend.MockBackend`): its world, its access
    rule for a project, and its cancel. A protocol, so that this module never imports the backend."""

    world: World

    def project(self, key: ApiKey, project_id: str | None, denied: str) -> Project: ...

    def cancel_run(self, key: ApiKey, run_id: str | None) -> Run: ...


READ_DENIED = "Insufficient permissions to access this project"
WRITE_DENIED = "Insufficient permissions to change this project"
RUN_IS_CANCELLED = "Run is cancelled"
Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def actor(key: ApiKey) -> str:
    return f"api:{key.name}"


class ProjectSettings:
    def __init__(self, backend: Backend, clock: Clock = utc_now) -> None:
        self.backend = backend
        self.world = backend.world
        self.clock = clock
        # Counts of the actions and webhooks created, from which their new ids are derived.
        self.created_actions = 0
        self.created_webhooks = 0

    # Access

    def project(self, key: ApiKey, project_id: str, write: bool) -> str:
        """The id of the project whose settings `key` reads (or, with `write`, changes)."""
        project = self.backend.project(key, project_id, READ_DENIED).project_id
        if write and not key.may_write(project):
            raise Denied(WRITE_DENIED)
        return project

    def reach(self, key: ApiKey, project_id: str, write: bool) -> None:
        allowed = key.may_write(project_id) if write else key.may_read(project_id)
        if not allowed:
            raise Denied(WRITE_DENIED if write else READ_DENIED)

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
            raise NotFound(ACTION_NOT_FOUND)
        project_id, body = found
        self.reach(key, project_id, write)
        return body

    def list_actions(self, project_id: str, statuses: list[str], search: str) -> list[dict[str, Any]]:
        """A project's actions (`project`), newest first: those in `statuses` (all when empty) whose name
        holds `search`, ignoring case."""
        chosen = []
        for pid, body in self.world.actions.values():
            shown = self.shown(body)
            if pid != project_id or (statuses and shown["status"] not in statuses):
                continue
            if search.lower() not in shown["name"].lower():
                continue
            chosen.append(shown)
        return sorted(chosen, key=lambda a: (a["createdAt"], a["actionId"]), reverse=True)

    def create_action(self, key: ApiKey, project_id: str, fields: dict[str, Any]) -> dict[str, Any]:
        """A new active action of `project_id` (checked by `project(..., write=True)`) with these fields."""
        self.created_actions += 1
        created = str(self.created_actions)
        action_id = "act_" + settings_seed.digest("created", project_id, created, iso(self.clock()))[:10]
        while action_id in self.world.actions:
            self.created_actions += 1
            action_id = "act_" + settings_seed.digest("created", project_id, str(self.created_actions))[:10]
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
            raise Invalid("status: the action is archived and cannot be changed")
        return stored

    def touched(self, stored: dict[str, Any], key: ApiKey, **changes: Any) -> dict[str, Any]:
        stored.update(changes, updatedAt=iso(self.clock()), updatedBy=actor(key))
        return self.shown(stored)

    def update_action(self, key: ApiKey, action_id: str | None, fields: dict[str, Any]) -> dict[str, Any]:
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
        return self.shown(stored)

    # Webhooks

    def stored_webhook(self, key: ApiKey, hook_id: str | None, write: bool) -> dict[str, Any]:
        hook = self.world.webhooks.get(hook_id.lower()) if hook_id is not None else None
        if hook is None:
            raise NotFound(WEBHOOK_NOT_FOUND)
        self.reach(key, hook["projectId"], write)
        return hook

    def list_webhooks(self, project_id: str) -> list[dict[str, Any]]:
        hooks = [copy.deepcopy(h) for h in self.world.webhooks.values() if h["projectId"] == project_id]
        return sorted(hooks, key=lambda h: (str(h["createdAt"]), h["hookId"]))

    def create_webhook(self, project_id: str, fields: dict[str, Any]) -> dict[str, Any]:
        """A new webhook of `project_id` (checked by `project(..., write=True)`) with these fields."""
        self.created_webhooks += 1
        hook_id = settings_seed.hook_id(project_id, 1000 + self.created_webhooks)
        while hook_id in self.world.webhooks:
            self.created_webhooks += 1
            hook_id = settings_seed.hook_id(project_id, 1000 + self.created_webhooks)
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

    def update_webhook(self, key: ApiKey, hook_id: str | None, fields: dict[str, Any]) -> dict[str, Any]:
        hook = self.stored_webhook(key, hook_id, write=True)
        hook.update(fields, updatedAt=iso(self.clock()))
        return copy.deepcopy(hook)

    def delete_webhook(self, key: ApiKey, hook_id: str | None) -> dict[str, Any]:
        hook = self.stored_webhook(key, hook_id, write=True)
        del self.world.webhooks[hook["hookId"]]
        return hook

    # Cancel by GitHub Actions workflow run

    def cancel_by_github_ci(
        self, key: ApiKey, github_run_id: str, attempt: int, project_id: str | None, ci_build_id: str | None
    ) -> Run:
        """Cancel the run of this GitHub Actions workflow run attempt (in `project_id`, of `ci_build_id`, when
        given), as `MockBackend.cancel_run` does."""
        run_id = self.world.github_runs.get((github_run_id, attempt))
        run = self.world.runs.get(run_id) if run_id is not None else None
        if run is None or (project_id is not None and run.project_id != project_id):
            raise NotFound(RUN_NOT_FOUND)
        if ci_build_id is not None and run.body["meta"].get("ciBuildId") != ci_build_id:
            raise NotFound(RUN_NOT_FOUND)
        if not key.may_write(run.project_id):
            raise Denied("Insufficient permissions to cancel this run")
        if run.completion_state == "CANCELED":
            raise Conflict(RUN_IS_CANCELLED)
        return self.backend.cancel_run(key, run.run_id)
