"""Runs: the listing of a project's runs with its filters, one run, find, cancel, reset and delete.

Each handler reads the request (filters, pages, the reset's machine ids), asks the backend, and builds the
answer from the run it gives: a run's body as it is, the listing's items without their `specs`.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from contract_tests.mock_api.backend import RUNS_DENIED, MockBackend
from contract_tests.mock_api.entities import Run
from contract_tests.mock_api.journal import Journal
from contract_tests.mock_api.resources import api_key, listing, ok_data, route
from contract_tests.mock_api.resources.params import cursor_params, run_filter
from contract_tests.mock_api.rest import BadRequest, Query, json_body, ok, path_id

READ_DENIED = "Insufficient permissions to access this run"
RESET_MAX_MACHINES = 63


def list_item(run: Run) -> dict[str, Any]:
    """A run as the listing shows it: the run without its `specs`, plus its cursor."""
    return {**{k: v for k, v in run.body.items() if k != "specs"}, "cursor": run.cursor}


def cancellation_body(run: Run) -> dict[str, Any]:
    """The answer to a cancel: the run's `cancellation` and its id."""
    return {**run.body["cancellation"], "runId": run.run_id}


def reset_machines(body: Any) -> tuple[list[str], bool]:
    """The machine ids (1 to `RESET_MAX_MACHINES` non-empty strings) and `isBatchedOr8n` of a reset body."""
    machines = body.get("machineId") if isinstance(body, dict) else None
    if (
        not isinstance(machines, list)
        or not 1 <= len(machines) <= RESET_MAX_MACHINES
        or not all(isinstance(m, str) and m for m in machines)
    ):
        raise BadRequest(f"Invalid machineId. Must be an array of 1 to {RESET_MAX_MACHINES} machine ids")
    batched = body.get("isBatchedOr8n", False)
    if not isinstance(batched, bool):
        raise BadRequest("Invalid isBatchedOr8n. Must be a boolean")
    return list(machines), batched


def routes(backend: MockBackend, journal: Journal) -> list[Route]:
    async def list_runs(request: Request) -> Response:
        query = Query(request)
        project = backend.project(api_key(request), path_id(request, "projectId"), RUNS_DENIED)
        page = backend.list_runs(project, run_filter(query), cursor_params(query))
        return ok(listing(page, list_item))

    async def get_run(request: Request) -> Response:
        return ok_data(backend.run(api_key(request), path_id(request, "runId"), READ_DENIED).body)

    async def find_run(request: Request) -> Response:
        """The most recent completed run of `projectId` with `ciBuildId`, or on `branch` with all `tags[]`."""
        query = Query(request)
        project_id = query.text("projectId")
        if not project_id:
            raise BadRequest("Missing required parameter: projectId")
        project = backend.project(api_key(request), project_id, RUNS_DENIED)
        ci_build_id = query.text("ciBuildId")
        branch = query.text("branch")
        tags = set(query.array("tags[]", "tag"))
        query.boolean("pwLastRun")
        return ok_data(backend.find_run(project, ci_build_id, branch, tags).body)

    async def cancel_run(request: Request) -> Response:
        return ok_data(cancellation_body(backend.cancel_run(api_key(request), path_id(request, "runId"))))

    async def reset_run(request: Request) -> Response:
        machines, batched = reset_machines(await json_body(request))
        run, reset = backend.reset_run(api_key(request), path_id(request, "runId"), machines)
        return ok_data({"runId": run.run_id, "machineId": machines, "isBatchedOr8n": batched, "resetSpecs": reset})

    async def delete_run(request: Request) -> Response:
        run = backend.delete_run(api_key(request), path_id(request, "runId"))
        return ok_data({"runId": run.run_id, "actor": "API Request"})

    return [
        route("/projects/{projectId}/runs", {"GET": list_runs}, journal),
        # /runs/find before /runs/{runId}, which would match it too
        route("/runs/find", {"GET": find_run}, journal),
        route("/runs/{runId}", {"GET": get_run, "DELETE": delete_run}, journal),
        route("/runs/{runId}/cancel", {"PUT": cancel_run}, journal),
        route("/runs/{runId}/reset", {"PUT": reset_run}, journal),
    ]
