"""Find real ids to check in live mode, with a bounded number of read requests.

Scope: `discover` lists the projects named in `CURRENTS_PROJECT_IDS` (or every project the key sees, at most
`MAX_PROJECTS`), lists the newest `RUNS_PER_PROJECT` runs of each, opens them to collect the instances of
their spec files (at most `MAX_INSTANCES` in all), and lists one page of each project's tests for test
signatures, over the period from the oldest run found (or the last `SIGNATURE_DAYS` days) to today. Ids named
in `CURRENTS_INSTANCE_IDS` are kept first. Every
request goes through the generated client (so a 429 is retried with its backoff, honouring `Retry-After`)
and through `CountingTransport`, which counts each request sent, retries included.

Each project's actions and webhooks are listed too (`SETTINGS_PER_PROJECT` ids of each are kept; a
webhook's custom headers, which hold secrets, are never kept).

Limits: reads only (GET). At most 1 + P + P*R + 3P requests for P projects and R runs per project, plus
retries. A project the key may not read, or one that is gone, is skipped with a note.

Errors: `UserError` when the key is refused (401) or the API cannot be reached.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import httpx

from kit._cli import UserError

MAX_PROJECTS = 5
RUNS_PER_PROJECT = 3
MAX_INSTANCES = 12
SIGNATURE_DAYS = 30


class CountingTransport(httpx.BaseTransport):
    """An httpx transport that counts the requests it sends (each retry is one more)."""

    def __init__(self, inner: httpx.BaseTransport | None = None) -> None:
        self.inner = inner if inner is not None else httpx.HTTPTransport()
        self.sent = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.sent += 1
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


@dataclass
class Ids:
    """The ids the checks use as examples, by the parameter they fill."""

    projects: list[str] = field(default_factory=list)
    runs: list[str] = field(default_factory=list)
    instances: list[str] = field(default_factory=list)
    signatures: list[str] = field(default_factory=list)
    # Bodies of POST /signature/test that name tests the API has results for (projectId, specFilePath,
    # testTitle), for the stateful walk; empty when none is known.
    tests: list[dict[str, Any]] = field(default_factory=list)
    # Actions and webhooks of the projects found: read by the drift fetch (never changed: the writes create
    # their own, scripts.contract.settings).
    actions: list[str] = field(default_factory=list)
    webhooks: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # The period the discovered runs span (ISO dates), for the operations that need one.
    window: tuple[str, str] | None = None

    def add(self, kind: list[str], value: object) -> None:
        if isinstance(value, str) and value and value not in kind:
            kind.append(value)


def discover(client: Any, project_ids: list[str], instance_ids: list[str]) -> Ids:
    """Walk from projects to runs to instances and tests with `client` (a generated AuthenticatedClient)."""
    from currents_api_client import errors
    from currents_api_client.api.projects import list_projects
    from currents_api_client.api.runs import get_run, list_project_runs
    from currents_api_client.api.tests import list_tests

    ids = Ids()
    for instance_id in instance_ids:
        ids.add(ids.instances, instance_id)
    try:
        if project_ids:
            chosen = project_ids[:MAX_PROJECTS]
        else:
            listed = list_projects.sync(client=client, limit=MAX_PROJECTS)
            chosen = [project.project_id for project in listed.data]
        end = dt.datetime.now(dt.UTC)
        start = end - dt.timedelta(days=SIGNATURE_DAYS)
        for project_id in chosen:
            try:
                runs = list_project_runs.sync(project_id, client=client, limit=RUNS_PER_PROJECT).data
            except (errors.PermissionDeniedError, errors.NotFoundError) as error:
                ids.notes.append(f"project {project_id} skipped: {errors.describe(error)}")
                continue
            ids.add(ids.projects, project_id)
            for run in runs:
                ids.add(ids.runs, run.run_id)
                start = min(start, run.created_at.astimezone(dt.UTC) - dt.timedelta(days=1))
                if len(ids.instances) >= MAX_INSTANCES:
                    continue
                detail = get_run.sync(run.run_id, client=client).data
                for spec in detail.specs or []:
                    if len(ids.instances) < MAX_INSTANCES:
                        ids.add(ids.instances, spec.instance_id)
            tests = list_tests.sync(
                project_id, client=client, date_start=f"{start:%Y-%m-%d}", date_end=f"{end:%Y-%m-%d}", limit=5
            )
            for test in tests.data.list_[:2]:
                ids.add(ids.signatures, test.signature)
            discover_settings(client, project_id, ids)
        ids.window = (f"{start:%Y-%m-%d}", f"{end:%Y-%m-%d}")
    except errors.AuthenticationError:
        raise UserError("the API key was refused (401): check CURRENTS_API_KEY") from None
    except errors.APIConnectionError as error:
        raise UserError(f"cannot reach the API: {error}") from None
    return ids


SETTINGS_PER_PROJECT = 2


def discover_settings(client: Any, project_id: str, ids: Ids) -> None:
    """Add the first actions and webhooks of `project_id` (two listings); a refused listing is a note."""
    from currents_api_client import errors
    from currents_api_client.api.actions import list_actions
    from currents_api_client.api.webhooks import list_webhooks

    try:
        for action in list_actions.sync(client=client, project_id=project_id).data[:SETTINGS_PER_PROJECT]:
            ids.add(ids.actions, action.action_id)
        for hook in list_webhooks.sync(client=client, project_id=project_id).data[:SETTINGS_PER_PROJECT]:
            ids.add(ids.webhooks, str(hook.hook_id))
    except (errors.PermissionDeniedError, errors.NotFoundError, errors.BadRequestError) as error:
        ids.notes.append(f"the actions or webhooks of project {project_id} skipped: {errors.describe(error)}")
