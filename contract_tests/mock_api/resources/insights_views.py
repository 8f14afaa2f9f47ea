"""The bodies of project insights and the Errors Explorer (`resources.analytics`), from runs and executions.

Scope:
- `insights(project_id, window, resolution, runs, executions)`: `GET /projects/{projectId}/insights`. Run
  metrics count the project's runs created in the period (`MockBackend.project_runs`, filtered by tags,
  branches, authors and groups); test metrics count the executions `MockBackend.project_executions` gives
  for the same filters, so that a test counted `flaky` here is a flaky test of a run (`isFlaky`). The
  timeline has a bucket per `resolution` (`1h`, `1d`, `1w`, from the period's start) holding any run or
  execution, as the March reference shapes it: a list of one-key objects.
- `errors_explorer(executions, view, page)`: `GET /errors/{projectId}`: one occurrence per failed or flaky
  execution with an error message, classified (category, action, target) by a few patterns of Playwright's
  and Cypress's messages, grouped by the `ErrorsView`'s fields (default every field), filtered, ordered and
  paged, with a daily timeline of the `top_n` errors by `metric`.

Limits: classification is a handful of regular expressions, not Currents' engine; durations are in seconds
from `durationMs`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from contract_tests.mock_api.entities import Run
from contract_tests.mock_api.executions import Execution
from contract_tests.mock_api.filters import ExecutionFilter
from contract_tests.mock_api.pagination import OffsetParams, offset_page
from contract_tests.mock_api.resources.explorers import ratio

RESOLUTIONS = {"1h": dt.timedelta(hours=1), "1d": dt.timedelta(days=1), "1w": dt.timedelta(weeks=1)}
GROUP_FIELDS = {"message": "message", "category": "error_category", "action": "error_action", "target": "error_target"}
ORDERS = ("count", "tests", "branches", "error")
METRICS = {"occurrence": "count", "test": "tests", "branch": "branches"}
MAX_BUCKETS = 2000


def iso(moment: dt.datetime) -> str:
    """RFC 3339 in UTC with milliseconds, the year always four digits (a period may start in year 1)."""
    m = moment.astimezone(dt.UTC)
    return f"{m.year:04d}-{m:%m-%dT%H:%M:%S}.{m.microsecond // 1000:03d}Z"


@dataclass(frozen=True)
class ErrorsView:
    """How the Errors Explorer groups, filters and orders: `fields` (of `GROUP_FIELDS`), `wanted` (a
    substring per field, or None), `order` (of `ORDERS`), `direction`, `metric` (of `METRICS`) and `top_n`."""

    fields: list[str]
    wanted: dict[str, str | None]
    order: str
    direction: str
    metric: str
    top_n: int


# Insights


def run_metrics(runs: list[Run]) -> dict[str, Any]:
    completed = [r for r in runs if r.completion_state == "COMPLETE"]
    passed = sum(1 for r in completed if r.body.get("status") == "PASSED")
    durations = [int(r.body.get("durationMs") or 0) for r in completed]
    return {
        "total": len(runs),
        "cancelled": sum(1 for r in runs if r.completion_state == "CANCELED"),
        "timeouts": sum(1 for r in runs if r.completion_state == "TIMEOUT"),
        "completed": len(completed),
        "failed": sum(1 for r in completed if r.body.get("status") == "FAILED"),
        "passed": passed,
        "nonFullyReported": len(runs) - len(completed),
        "avgDurationSeconds": round(sum(durations) / len(durations) / 1000, 3) if durations else 0,
        "avgSuccessRate": ratio(passed, len(completed)),
    }


def test_metrics(executions: list[Execution]) -> dict[str, Any]:
    counts = {state: sum(1 for e in executions if e.status == state) for state in ("failed", "passed", "pending")}
    return {
        "total": len(executions),
        **counts,
        "skipped": sum(1 for e in executions if e.status == "skipped"),
        "flaky": sum(1 for e in executions if e.flaky),
    }


def insights(
    project_id: str, window: ExecutionFilter, resolution: str, runs: list[Run], executions: list[Execution]
) -> dict[str, Any]:
    start, end = window.date_start, window.date_end
    width = RESOLUTIONS[resolution]
    buckets: dict[int, tuple[list[Run], list[Execution]]] = {}
    for run in runs:
        buckets.setdefault((run.created_at - start) // width, ([], []))[0].append(run)
    for e in executions:
        buckets.setdefault((e.created_at - start) // width, ([], []))[1].append(e)
    timeline = [
        {iso(start + n * width): {"runs": run_metrics(b[0]), "tests": test_metrics(b[1])}}
        for n, b in sorted(buckets.items())[:MAX_BUCKETS]
    ]
    tags, authors, branches, groups = (sorted(f) for f in (window.tags, window.authors, window.branches, window.groups))
    return {
        "projectId": project_id,
        "orgId": "org_mock",
        "dateStart": iso(start),
        "dateEnd": iso(end),
        "resolution": resolution,
        "tags": tags,
        "authors": authors,
        "branches": branches,
        "groups": groups,
        "results": {"overall": {"runs": run_metrics(runs), "tests": test_metrics(executions)}, "timeline": timeline},
    }


# Errors Explorer

ACTION = re.compile(r"(?:expect\([^)]*\)\.|locator\.|page\.|\.)(?P<action>to[A-Z]\w*|click|fill|waitFor\w*|goto)\b")
TARGET = re.compile(r"(?P<target>(?:getBy\w+|locator)\([^)]*\)|https?://\S+)")


def error_message(e: Execution) -> str | None:
    display = e.test.get("displayError")
    if isinstance(display, str) and display.strip():
        return display.strip().splitlines()[0][:300]
    for attempt in e.test.get("attempts") or []:
        if not isinstance(attempt, dict):
            continue
        errors = [attempt.get("error"), *(attempt.get("errors") or [])]
        for error in errors:
            if isinstance(error, dict) and isinstance(error.get("message"), str) and error["message"].strip():
                return str(error["message"]).strip().splitlines()[0][:300]
    return None


def classify(message: str) -> dict[str, str | None]:
    lowered = message.lower()
    action = ACTION.search(message)
    target = TARGET.search(message)
    if "timed out" in lowered and "expect" in lowered:
        category = "Async Assertion"
    elif "timeout" in lowered and "exceeded" in lowered and not action:
        category = "Timeout"
    elif "expect" in lowered or "assert" in lowered:
        category = "Assertion"
    elif action:
        category = "Action"
    else:
        category = None
    return {
        "message": message,
        "error_category": category,
        "error_action": action.group("action") if action else None,
        "error_target": target.group("target") if target else None,
    }


def errors_explorer(executions: list[Execution], view: ErrorsView, page: OffsetParams) -> dict[str, Any]:
    fields, wanted, order = view.fields, view.wanted, view.order
    direction, metric, top_n = view.direction, view.metric, view.top_n
    occurrences = []
    for e in executions:
        message = error_message(e) if e.status == "failed" or e.flaky else None
        if message is None:
            continue
        classified = classify(message)
        if any(v is not None and v.lower() not in str(classified[f] or "").lower() for f, v in wanted.items()):
            continue
        if classified[fields[0]] is None:  # the first dimension leaves out what it could not classify
            continue
        occurrences.append((tuple(classified[f] for f in fields), e))
    items = summarise(occurrences, fields)

    def sort_key(item: dict[str, Any]) -> tuple[Any, str]:
        if order == "error":
            value: Any = item["message"] or ""
        elif order == "count":
            value = item["count"]
        else:
            value = item["details"][order]["count"]
        return value, str([item[f] for f in GROUP_FIELDS.values()])

    items.sort(key=sort_key, reverse=direction == "desc")
    days: dict[str, list[tuple[tuple[Any, ...], Execution]]] = {}
    for occurrence in occurrences:
        days.setdefault(occurrence[1].created_at.date().isoformat(), []).append(occurrence)
    timeline = []
    for day, found in sorted(days.items()):
        top = summarise(found, fields)
        top.sort(key=lambda i: i["count"] if metric == "count" else i["details"][metric]["count"], reverse=True)
        timeline.append({"date": day, "count": len(found), "items": top[:top_n]})
    listed = offset_page(page, items)
    return {**listed, "count": len(listed["list"]), "timeline": timeline}


def summarise(occurrences: list[tuple[tuple[Any, ...], Execution]], fields: list[str]) -> list[dict[str, Any]]:
    """One item per group: the occurrences, and the distinct tests and branches they touched."""
    groups: dict[tuple[Any, ...], list[Execution]] = {}
    for group, e in occurrences:
        groups.setdefault(group, []).append(e)
    items = []
    for group, found in groups.items():
        item: dict[str, Any] = {f: None for f in GROUP_FIELDS.values()}
        item.update(zip(fields, group, strict=True))
        item["count"] = len(found)
        item["details"] = {
            "tests": {"count": len({e.signature for e in found})},
            "branches": {"count": len({str(e.commit.get("branch")) for e in found})},
        }
        items.append(item)
    return items
