"""Test results and signatures: `GET /test-results/{signature}` (cursor-paginated, limit 1 to 100) and
`POST /signature/test`, which computes the signature the results carry and stores nothing.

`result_item` builds one test result from an execution (`executions.Execution`): its framework, commit,
attempts and error, as the spec shapes them.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from contract_tests.mock_api.backend import MockBackend
from contract_tests.mock_api.entities import as_dict, iso
from contract_tests.mock_api.executions import Execution, result_cursor, test_state
from contract_tests.mock_api.journal import Journal
from contract_tests.mock_api.resources import api_key, listing, ok_data, route
from contract_tests.mock_api.resources.params import cursor_params, result_filter
from contract_tests.mock_api.rest import BadRequest, Query, Refused, json_body, ok, path_id


def result_item(e: Execution) -> dict[str, Any]:
    """One item of `GET /test-results/{signature}`."""
    data = e.instance.data
    framework = as_dict(data.get("framework"))
    attempts = []
    for n, attempt in enumerate(a for a in e.test.get("attempts") or [] if isinstance(a, dict)):
        item: dict[str, Any] = {
            "attemptId": str(attempt.get("attemptId") or f"{e.instance.instance_id}-{n}"),
            "state": test_state(attempt.get("state")),
            "startedAt": str(attempt.get("wallClockStartedAt") or attempt.get("startedAt") or iso(e.created_at)),
            "duration": max(0, int(attempt.get("wallClockDuration") or attempt.get("duration") or 0)),
        }
        error = attempt.get("error")
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            item["error"] = {"message": error["message"], "stack": str(error.get("stack") or error["message"])}
        attempts.append(item)
    commit = e.commit
    display_error = e.test.get("displayError")
    result: dict[str, Any] = {
        "cursor": result_cursor(e),
        "signature": e.signature,
        "framework": {
            "type": str(framework.get("type") or ("cypress" if e.instance.runner == "cypress" else e.instance.runner)),
            "version": str(framework.get("version") or data.get("cypressVersion") or ""),
            "clientVersion": str(framework.get("clientVersion") or ""),
        },
        "createdAt": iso(e.created_at),
        "projectId": e.run.project_id,
        "groupId": str(data.get("groupId")),
        "runId": e.run.run_id,
        "instanceId": e.instance.instance_id,
        "spec": str(data.get("spec")),
        "machineId": str(data.get("machineId") or ""),
        "tags": [t for t in e.run.body.get("tags") or [] if isinstance(t, str)],
        "title": e.title,
        "testId": str(e.test.get("testId") or ""),
        "displayError": display_error if isinstance(display_error, str) else None,
        "commit": {k: commit.get(k) for k in ("branch", "authorEmail", "authorName", "sha", "message")},
        "duration": e.duration,
        "flaky": e.flaky,
        "status": e.status,
        "attempts": attempts,
    }
    if e.instance.runner == "pw":
        result["expectedStatus"] = "skipped" if e.status == "skipped" else "passed"
    return result


def signature_request(body: Any) -> tuple[str, str, list[str]]:
    """The project id, spec file path and title parts of a signature request (a title may be `a > b`)."""
    if not isinstance(body, dict):
        raise BadRequest("Invalid request body. Expected a JSON object")
    for name in ("projectId", "specFilePath", "testTitle"):
        if name not in body:
            raise BadRequest(f"Missing required parameter: {name}")
    project_id, spec, title = body["projectId"], body["specFilePath"], body["testTitle"]
    if not isinstance(project_id, str) or not isinstance(spec, str) or not project_id or not spec:
        raise BadRequest("Invalid projectId or specFilePath. Must be non-empty strings")
    if isinstance(title, str) and title:
        title = [part.strip() for part in title.split(">")]
    if not isinstance(title, list) or not title or not all(isinstance(part, str) for part in title):
        raise Refused("Invalid testTitle format. Must be a non-empty array", 422)
    return project_id, spec, title


def routes(backend: MockBackend, journal: Journal) -> list[Route]:
    async def list_test_results(request: Request) -> Response:
        query = Query(request)
        wanted = result_filter(query)
        matching = backend.signature_executions(api_key(request), path_id(request, "signature"))
        page = backend.test_results(matching, wanted, cursor_params(query, 100))
        return ok(listing(page, result_item))

    async def create_signature(request: Request) -> Response:
        signature = backend.signature(api_key(request), *signature_request(await json_body(request)))
        return ok_data({"signature": signature})

    return [
        route("/test-results/{signature}", {"GET": list_test_results}, journal),
        route("/signature/test", {"POST": create_signature}, journal),
    ]
