"""Runs: the listing of a project's runs with its filters, one run, find, cancel, reset and delete."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from contract_tests.mock_api.backend import MockBackend
from contract_tests.mock_api.journal import Journal
from contract_tests.mock_api.resources import api_key, listing, route
from contract_tests.mock_api.rest import Query, json_body, ok, path_id
from contract_tests.mock_api.world import Run

READ_DENIED = "Insufficient permissions to access this run"


def list_item(run: Run) -> dict[str, Any]:
    """A run as the listing shows it: the run without its `specs`, plus its cursor."""
    return {**{k: v for k, v in run.body.items() if k != "specs"}, "cursor": run.cursor}


def routes(backend: MockBackend, journal: Journal) -> list[Route]:
    async def list_runs(request: Request) -> Response:
        page = backend.list_runs(api_key(request), path_id(request, "projectId"), Query(request))
        return ok(listing(page, list_item))

    async def get_run(request: Request) -> Response:
        run = backend.run(api_key(request), path_id(request, "runId"), READ_DENIED)
        return ok({"status": "OK", "data": run.body})

    async def find_run(request: Request) -> Response:
        return ok({"status": "OK", "data": backend.find_run(api_key(request), Query(request)).body})

    async def cancel_run(request: Request) -> Response:
        return ok({"status": "OK", "data": backend.cancel_run(api_key(request), path_id(request, "runId"))})

    async def reset_run(request: Request) -> Response:
        body = await json_body(request)
        return ok({"status": "OK", "data": backend.reset_run(api_key(request), path_id(request, "runId"), body)})

    async def delete_run(request: Request) -> Response:
        return ok({"status": "OK", "data": backend.delete_run(api_key(request), path_id(request, "runId"))})

    return [
        route("/projects/{projectId}/runs", {"GET": list_runs}, journal),
        # /runs/find before /runs/{runId}, which would match it too
        route("/runs/find", {"GET": find_run}, journal),
        route("/runs/{runId}", {"GET": get_run, "DELETE": delete_run}, journal),
        route("/runs/{runId}/cancel", {"PUT": cancel_run}, journal),
        route("/runs/{runId}/reset", {"PUT": reset_run}, journal),
    ]
