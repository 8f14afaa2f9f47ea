"""The offset-paginated explorers: `GET /spec-files/{projectId}` and `GET /tests/{projectId}`.

Both need `date_start` and `date_end`, filter by tags, authors and branches (tests also by groups, spec,
title, `min_executions` and `test_state[]`), order by `order` and `dir`, and page with `page` and `limit`.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from contract_tests.mock_api.backend import MockBackend, ordered, spec_file_items, test_items
from contract_tests.mock_api.journal import Journal
from contract_tests.mock_api.pagination import offset_page
from contract_tests.mock_api.resources import api_key, route
from contract_tests.mock_api.rest import Query, ok, path_id

SPEC_FILE_ORDERS = (
    "avgDuration",
    "failedExecutions",
    "failureRate",
    "flakeRate",
    "flakyExecutions",
    "fullyReported",
    "overallExecutions",
    "suiteSize",
    "timeoutExecutions",
    "timeoutRate",
)
TEST_ORDERS = (
    "duration",
    "executions",
    "failures",
    "flakiness",
    "passes",
    "title",
    "durationXSamples",
    "failRateXSamples",
    "failureRateDelta",
    "flakinessRateDelta",
    "flakinessXSamples",
)
# What a tests order sorts on, among the metrics an item carries.
TEST_ORDER_KEYS = {"duration": "avgDuration", "flakiness": "flakinessRate", "durationXSamples": "durationVolume"}


def routes(backend: MockBackend, journal: Journal) -> list[Route]:
    async def list_spec_files(request: Request) -> Response:
        query = Query(request)
        project_id = path_id(request, "projectId")
        executions = backend.project_executions(
            api_key(request), project_id, query, "Insufficient permissions to access spec files"
        )
        query.boolean("includeFailedInDuration")
        name_filter = query.text("specNameFilter") or ""
        items = [i for i in spec_file_items(executions, project_id or "") if name_filter in i["spec"]]
        return ok({"status": "OK", "data": offset_page(query, ordered(items, query, SPEC_FILE_ORDERS, "avgDuration"))})

    async def list_tests(request: Request) -> Response:
        query = Query(request)
        executions = backend.project_executions(
            api_key(request), path_id(request, "projectId"), query, "Insufficient permissions to access tests"
        )
        states = set(query.array("test_state[]"))
        spec, title = query.text("spec") or "", query.text("title") or ""
        minimum = query.integer("min_executions", 1, 1)
        chosen = [e for e in executions if (not states or e.status in states)]
        items = [
            i
            for i in test_items(chosen)
            if spec in i["spec"] and title in i["title"] and i["metrics"]["executions"] >= minimum
        ]
        order = query.text("order")
        order = "title" if order is None else order
        for item in items:
            item["metrics"].setdefault(order, item["metrics"].get(TEST_ORDER_KEYS.get(order, order), 0))
        listed = ordered(items, query, TEST_ORDERS, "title")
        for item in listed:
            for extra in set(item["metrics"]) - BASE_TEST_METRICS:
                del item["metrics"][extra]
        return ok({"status": "OK", "data": offset_page(query, listed)})

    return [
        route("/spec-files/{projectId}", {"GET": list_spec_files}, journal),
        route("/tests/{projectId}", {"GET": list_tests}, journal),
    ]


BASE_TEST_METRICS = {
    "executions",
    "failures",
    "ignored",
    "passes",
    "flaky",
    "flakinessRate",
    "failureRate",
    "avgDuration",
    "flakinessVolume",
    "failureVolume",
    "durationVolume",
}
