"""`GET /projects/{projectId}/insights`, `GET /errors/{projectId}`, and `PUT /runs/cancel-ci/github`.

The first two read their window, filters and options, ask the backend for the project's runs and executions,
and build their bodies with `insights_views`; the cancel reads the GitHub Actions workflow run id and
attempt and asks the backend's `settings` to cancel the run they name.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from contract_tests.mock_api.backend import MockBackend
from contract_tests.mock_api.journal import Journal
from contract_tests.mock_api.resources import api_key, ok_data, route
from contract_tests.mock_api.resources.insights_views import (
    GROUP_FIELDS,
    METRICS,
    ORDERS,
    RESOLUTIONS,
    ErrorsView,
    errors_explorer,
    insights,
)
from contract_tests.mock_api.resources.params import choice, execution_filter, offset_params
from contract_tests.mock_api.resources.settings_validation import text
from contract_tests.mock_api.rest import BadRequest, Query, json_body, parse_integer, path_id

INSIGHTS_DENIED = "Insufficient permissions to access project insights"
ERRORS_DENIED = "Insufficient permissions to access project errors"


def errors_view(query: Query) -> ErrorsView:
    choice(query, "tags_logical_operator", ("OR", "AND"), "OR")
    order = choice(query, "order_by", ORDERS, "count")
    direction = choice(query, "dir", ("asc", "desc"), "desc")
    metric = METRICS[choice(query, "metric", METRICS, "occurrence")]
    top_n = query.integer("top_n", 5, 1, 50)
    group_by = query.array("group_by[]")
    for dimension in group_by:
        if dimension not in GROUP_FIELDS:
            raise BadRequest(f"group_by[]: must be one of {', '.join(GROUP_FIELDS)}")
    fields = [GROUP_FIELDS[d] for d in dict.fromkeys(group_by)] or list(GROUP_FIELDS.values())
    wanted = {f: query.text(f) for f in ("error_target", "error_message", "error_category", "error_action")}
    return ErrorsView(fields, wanted, order, direction, metric, top_n)


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


def github_run(body: Any) -> tuple[str, int, str | None, str | None]:
    """The workflow run id, its attempt, and the `projectId` and `ciBuildId` that narrow it (when sent)."""
    if not isinstance(body, dict):
        raise BadRequest("body: must be a JSON object")
    github_run_id = body.get("githubRunId")
    if not isinstance(github_run_id, str) or not github_run_id:
        raise BadRequest("githubRunId: is required, a non-empty string")
    attempt = github_attempt(body.get("githubRunAttempt"))
    project_id = text(body["projectId"], "projectId", 1) if "projectId" in body else None
    ci_build_id = text(body["ciBuildId"], "ciBuildId", 1) if "ciBuildId" in body else None
    return github_run_id, attempt, project_id, ci_build_id


def routes(backend: MockBackend, journal: Journal) -> list[Route]:
    async def get_insights(request: Request) -> Response:
        query = Query(request)
        project = backend.project(api_key(request), path_id(request, "projectId"), INSIGHTS_DENIED)
        window = execution_filter(query)
        executions = backend.project_executions(project, window)
        resolution = choice(query, "resolution", RESOLUTIONS, "1d")
        runs = backend.project_runs(project, window)
        return ok_data(insights(project.project_id, window, resolution, runs, executions))

    async def get_errors(request: Request) -> Response:
        query = Query(request)
        project = backend.project(api_key(request), path_id(request, "projectId"), ERRORS_DENIED)
        executions = backend.project_executions(project, execution_filter(query))
        view = errors_view(query)
        return ok_data(errors_explorer(executions, view, offset_params(query, 50, 100)))

    async def cancel_by_github_ci(request: Request) -> Response:
        github_run_id, attempt, project_id, ci_build_id = github_run(await json_body(request))
        run = backend.settings.cancel_by_github_ci(api_key(request), github_run_id, attempt, project_id, ci_build_id)
        return ok_data({"runId": run.run_id, "cancelled": True, "cancelledAt": run.body["cancellation"]["canceledAt"]})

    return [
        route("/projects/{projectId}/insights", {"GET": get_insights}, journal),
        route("/errors/{projectId}", {"GET": get_errors}, journal),
        route("/runs/cancel-ci/github", {"PUT": cancel_by_github_ci}, journal),
    ]
