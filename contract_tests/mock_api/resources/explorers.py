"""The offset-paginated explorers: `GET /spec-files/{projectId}` and `GET /tests/{projectId}`.

Both need `date_start` and `date_end`, filter by tags, authors and branches (tests also by groups, spec,
title, `min_executions` and `test_state[]`), order by `order` and `dir`, and page with `page` and `limit`.
The backend gives the project's executions in the window; this module builds the items: one per spec file
(`spec_file_items`, an instance is one execution of its spec) or per test signature (`test_items`), with
their metrics.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from contract_tests.mock_api.backend import MockBackend
from contract_tests.mock_api.entities import Instance, hex_digest, iso
from contract_tests.mock_api.executions import Execution
from contract_tests.mock_api.journal import Journal
from contract_tests.mock_api.pagination import offset_page
from contract_tests.mock_api.resources import api_key, ok_data, route
from contract_tests.mock_api.resources.params import execution_filter, offset_params
from contract_tests.mock_api.rest import BadRequest, Query, path_id

SPEC_FILES_DENIED = "Insufficient permissions to access spec files"
TESTS_DENIED = "Insufficient permissions to access tests"
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


def ratio(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0


def spec_file_items(executions: list[Execution], project_id: str) -> list[dict[str, Any]]:
    """One item per spec file: metrics over its executions (an instance is one execution)."""
    by_spec: dict[str, dict[str, Instance]] = {}
    for e in executions:
        by_spec.setdefault(str(e.instance.data.get("spec")), {})[e.instance.instance_id] = e.instance
    items = []
    for spec, instances in by_spec.items():
        runs = len(instances)
        failed = sum(1 for i in instances.values() if int(i.stats.get("failures") or 0) > 0)
        flaky = sum(1 for i in instances.values() if int(i.stats.get("flaky") or 0) > 0)
        durations = [int(i.stats.get("wallClockDuration") or 0) for i in instances.values()]
        items.append(
            {
                "signature": hex_digest("spec", project_id, spec),
                "spec": spec,
                "metrics": {
                    "overallExecutions": runs,
                    "avgDuration": round(sum(durations) / runs) if runs else 0,
                    "failedExecutions": failed,
                    "flakyExecutions": flaky,
                    "timeoutExecutions": 0,
                    "suiteSize": max((len(i.tests) for i in instances.values()), default=0),
                    "failureRate": ratio(failed, runs),
                    "timeoutRate": 0,
                    "flakeRate": ratio(flaky, runs),
                    "fullyReported": runs,
                },
            }
        )
    return items


def test_items(executions: list[Execution]) -> list[dict[str, Any]]:
    """One item per test signature: metrics over its executions."""
    by_signature: dict[str, list[Execution]] = {}
    for e in executions:
        by_signature.setdefault(e.signature, []).append(e)
    items = []
    for signature, group in by_signature.items():
        runs = len(group)
        failures = sum(1 for e in group if e.status == "failed")
        passes = sum(1 for e in group if e.status == "passed")
        flaky = sum(1 for e in group if e.flaky)
        ignored = runs - failures - passes
        average = round(sum(e.duration for e in group) / runs) if runs else 0
        latest = max(group, key=lambda e: e.created_at)
        items.append(
            {
                "title": " > ".join(latest.title),
                "signature": signature,
                "spec": str(latest.instance.data.get("spec")),
                "metrics": {
                    "executions": runs,
                    "failures": failures,
                    "ignored": ignored,
                    "passes": passes,
                    "flaky": flaky,
                    "flakinessRate": ratio(flaky, runs),
                    "failureRate": ratio(failures, runs),
                    "avgDuration": average,
                    "flakinessVolume": flaky * average,
                    "failureVolume": failures * average,
                    "durationVolume": runs * average,
                },
                "latestTag": [t for t in latest.run.body.get("tags") or [] if isinstance(t, str)],
                "lastSeen": iso(latest.created_at),
            }
        )
    return items


def order_of(query: Query, orders: tuple[str, ...], default: str) -> tuple[str, str]:
    """`order` (one of `orders`, else `default`) and `dir` (`asc` or `desc`, default desc), checked."""
    order = query.text("order")
    order = default if order is None else order
    if order not in orders:
        raise BadRequest(f"Invalid order parameter. Must be one of {', '.join(orders)}")
    direction = query.text("dir")
    direction = "desc" if direction is None else direction
    if direction not in ("asc", "desc"):
        raise BadRequest("Invalid dir parameter. Must be asc or desc")
    return order, direction


def ordered(items: list[dict[str, Any]], order: str, direction: str) -> list[dict[str, Any]]:
    """`items` sorted by `order` (a metric, or `title`/`spec`) in `direction`, ties by signature."""

    def sort_key(item: dict[str, Any]) -> tuple[Any, str]:
        value = item.get(order, item["metrics"].get(order, 0))
        return (value if value is not None else 0, item["signature"])

    return sorted(items, key=sort_key, reverse=direction == "desc")


def routes(backend: MockBackend, journal: Journal) -> list[Route]:
    async def list_spec_files(request: Request) -> Response:
        query = Query(request)
        project = backend.project(api_key(request), path_id(request, "projectId"), SPEC_FILES_DENIED)
        executions = backend.project_executions(project, execution_filter(query))
        query.boolean("includeFailedInDuration")
        name_filter = query.text("specNameFilter") or ""
        items = [i for i in spec_file_items(executions, project.project_id) if name_filter in i["spec"]]
        listed = ordered(items, *order_of(query, SPEC_FILE_ORDERS, "avgDuration"))
        return ok_data(offset_page(offset_params(query), listed))

    async def list_tests(request: Request) -> Response:
        query = Query(request)
        project = backend.project(api_key(request), path_id(request, "projectId"), TESTS_DENIED)
        executions = backend.project_executions(project, execution_filter(query))
        states = set(query.array("test_state[]"))
        spec, title = query.text("spec") or "", query.text("title") or ""
        minimum = query.integer("min_executions", 1, 1)
        chosen = [e for e in executions if (not states or e.status in states)]
        items = [
            i
            for i in test_items(chosen)
            if spec in i["spec"] and title in i["title"] and i["metrics"]["executions"] >= minimum
        ]
        order, direction = order_of(query, TEST_ORDERS, "title")
        for item in items:
            item["metrics"].setdefault(order, item["metrics"].get(TEST_ORDER_KEYS.get(order, order), 0))
        listed = ordered(items, order, direction)
        for item in listed:
            for extra in set(item["metrics"]) - BASE_TEST_METRICS:
                del item["metrics"][extra]
        return ok_data(offset_page(offset_params(query), listed))

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
