# Hand-written, not generated: `make generate` never touches currents_api_client/lib/ (see lib/__init__.py).
"""`currents-api flaky --quarantine`: one quarantine Action per flaky test, through the Actions API.

- Which tests: those whose `flake_rate` is at least the threshold, with at least `min_executions` executions
  (flaky_metrics.sql).
- One action per test, matching exactly that test: `file eq <spec>` AND `title eq <its title>` AND
  `titlePath incAll <its title path>` (Currents' conditions; the title path may start with the file name, which
  `incAll` allows). It quarantines (`op: quarantine`: the test runs, its failure does not fail the run) and expires
  `expires` after it was created (`expiresAfter`).
- Found again by its name, `Flaky quarantine: <spec> > <title path>` (cut to the API's 255 characters), and by the
  key in its description, `key=<16 hex>`, a hash of (project id, spec, title path): `list_actions` with the name's
  prefix as `search`, then the key decides. An active or disabled action with the key is the test's (a
  disabled one was paused by someone: it is left as it is); an archived or expired one is not.
- `plan` only reads (`list_actions`). `apply` creates the missing actions and disables, to release them, the
  active actions of tests that are no longer above the threshold.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ...api.actions import create_action, disable_action, list_actions
from ...client import AuthenticatedClient
from ...models.create_action_request import CreateActionRequest
from ...models.project_action import ProjectAction

if TYPE_CHECKING:  # only annotations: parsing --expires needs no duckdb
    from .metrics import TestMetrics

NAME_PREFIX = "Flaky quarantine: "
MAX_NAME = 255  # the API's limit on an action's name
MARKER = "Created by currents-api flaky --quarantine"
KEY = re.compile(r"\bkey=([0-9a-f]{16})\b")
OURS = ("active", "disabled")  # the statuses in which an action still stands for its test
_DURATION = re.compile(r"^(\d+)([dhw])$")
_UNITS = {"h": dt.timedelta(hours=1), "d": dt.timedelta(days=1), "w": dt.timedelta(weeks=1)}


def parse_duration(text: str) -> dt.timedelta:
    """`14d`, `36h`, `2w` as a duration; `ValueError` with one line otherwise."""
    found = _DURATION.match(text.strip())
    if found is None or int(found.group(1)) == 0:
        raise ValueError(f"{text!r} is not a duration like 14d, 36h or 2w")
    return int(found.group(1)) * _UNITS[found.group(2)]


def quarantine_key(project_id: str, spec: str, title: tuple[str, ...]) -> str:
    """16 hex digits that name one test across runs: a SHA-256 of its project, spec and title path."""
    identity = json.dumps([project_id, spec, list(title)], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(identity.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def action_name(test: TestMetrics) -> str:
    name = f"{NAME_PREFIX}{test.spec} > {test.full_title}"
    return name if len(name) <= MAX_NAME else name[: MAX_NAME - 1] + "…"


def action_body(test: TestMetrics, expires_at: dt.datetime) -> CreateActionRequest:
    """The createAction body that quarantines exactly `test` until `expires_at`."""
    conditions: list[dict[str, object]] = [{"type": "file", "op": "eq", "value": test.spec}]
    if test.title:
        conditions.append({"type": "title", "op": "eq", "value": test.title[-1]})
        conditions.append({"type": "titlePath", "op": "incAll", "value": list(test.title)})
    description = (
        f"{MARKER}: flake rate {test.flake_rate:.2f} over {test.executions} executions "
        f"(key={quarantine_key(test.project_id, test.spec, test.title)})"
    )
    return CreateActionRequest.from_dict(
        {
            "name": action_name(test),
            "description": description,
            "action": [{"op": "quarantine"}],
            "matcher": {"op": "AND", "cond": conditions},
            "expiresAfter": expires_at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
        }
    )


def key_of(action: ProjectAction) -> str | None:
    """The test key in one of our actions' description, or None for an action this command did not create."""
    description = action.description or ""
    found = KEY.search(description) if MARKER in description else None
    return None if found is None else found.group(1)


@dataclass
class Plan:
    """What `--quarantine` does: create for these tests, keep these actions, release these."""

    create: list[TestMetrics] = field(default_factory=list)
    keep: list[tuple[TestMetrics, ProjectAction]] = field(default_factory=list)
    release: list[tuple[str, ProjectAction]] = field(default_factory=list)  # (project id, action)


def existing_actions(client: AuthenticatedClient, project_id: str) -> dict[str, ProjectAction]:
    """Our actions of `project_id` that still stand for their test, by test key (a read: `list_actions`)."""
    found: dict[str, ProjectAction] = {}
    listed = list_actions.sync(client=client, project_id=project_id, search=NAME_PREFIX.strip()).data
    for action in sorted(listed, key=lambda a: a.created_at):
        key = key_of(action)
        if key is not None and action.status in OURS:
            found.setdefault(key, action)
    return found


def plan(client: AuthenticatedClient, flaky: list[TestMetrics], project_ids: list[str]) -> Plan:
    """The plan for the tests `flaky` (above the threshold) of `project_ids`; reads only."""
    result = Plan()
    for project_id in project_ids:
        existing = existing_actions(client, project_id)
        wanted = set()
        for test in (t for t in flaky if t.project_id == project_id):
            key = quarantine_key(test.project_id, test.spec, test.title)
            wanted.add(key)
            if key in existing:
                result.keep.append((test, existing[key]))
            else:
                result.create.append(test)
        result.release += [
            (project_id, a) for k, a in sorted(existing.items()) if k not in wanted and a.status == "active"
        ]
    return result


def create(client: AuthenticatedClient, test: TestMetrics, expires_at: dt.datetime) -> ProjectAction:
    return create_action.sync(client=client, body=action_body(test, expires_at), project_id=test.project_id).data


def release(client: AuthenticatedClient, action: ProjectAction) -> ProjectAction:
    return disable_action.sync(action.action_id, client=client).data
