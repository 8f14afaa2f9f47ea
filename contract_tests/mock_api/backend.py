"""The one object that owns the mock's state, as moto's backends do: the world and every change to it.

Scope: `MockBackend` holds the `World` (`world.build_world`) and answers every operation of the mock with
plain data, or raises `rest.Refused` (status and FAILED message). The resource modules only read the
request and call it. State lives in this process: cancel, reset and delete change it, and a restart
builds the same world again.

Access (`ApiKey`): a key reaches the projects it lists; another project's resource is 403, and listings
show only the projects a key reaches. Cancel, reset and delete need the `write` scope (403 without it).
A resource that does not exist is 404 before any permission check, as Currents answers.

Derived views, computed from the live runs on each request (a deleted run no longer counts):
- test results: one per test of every completed instance, with the signature `signature_of` gives;
- spec files and tests: aggregates over the executions of a project, filtered and ordered as asked.

Limits: single-threaded use (uvicorn's event loop); no rate limiting; metrics are simple sums and ratios.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from contract_tests.mock_api.filters import RunFilter
from contract_tests.mock_api.keys import ApiKey
from contract_tests.mock_api.pagination import CursorPage, cursor_page
from contract_tests.mock_api.rest import BadRequest, Query, Refused
from contract_tests.mock_api.world import (
    Instance,
    Project,
    Run,
    World,
    as_dict,
    build_world,
    derive_run,
    hex_digest,
    instance_from_data,
    iso,
    make_cursor,
)

RUN_NOT_FOUND = "Run not found"
PROJECT_NOT_FOUND = "Project not found"
INSTANCE_NOT_FOUND = "Instance not found"
INSTANCE_DENIED = "Insufficient permissions to access this instance"
SIGNATURE_NOT_FOUND = "Test signature not found"
RESET_MAX_MACHINES = 63
TEST_STATES = ("failed", "passed", "pending", "skipped")


def signature_of(project_id: str, spec: str, title: list[str]) -> str:
    """The stable signature of a test: its project, spec file path and title parts."""
    return hex_digest("signature", project_id, spec, " > ".join(title))


def test_state(value: object) -> str:
    text = str(value or "").lower()
    if text in TEST_STATES:
        return text
    if text in ("todo", "skip"):
        return "pending" if text == "todo" else "skipped"
    return "failed" if text in ("timedout", "interrupted", "crashed", "error") else "passed"


@dataclass(frozen=True)
class Execution:
    """One test of one completed instance, with what the derived views need."""

    run: Run
    instance: Instance
    test: dict[str, Any]
    title: list[str]
    signature: str
    status: str
    duration: int
    flaky: bool
    created_at: dt.datetime

    @property
    def commit(self) -> dict[str, Any]:
        meta = self.run.body.get("meta") or {}
        return meta.get("commit") or {}


class MockBackend:
    def __init__(self, world: World | None = None) -> None:
        self.world = world if world is not None else build_world()
        # Told of each run event (`RUN_CANCELED`, ...) as it happens: the webhook deliveries (app.py).
        self.run_listeners: list[Callable[[Run, str], None]] = []

    def run_event(self, run: Run, event: str) -> None:
        for listener in self.run_listeners:
            listener(run, event)

    # Access

    def project(self, key: ApiKey, project_id: str | None, denied: str) -> Project:
        project = self.world.projects.get(project_id) if project_id is not None else None
        if project is None:
            raise Refused(PROJECT_NOT_FOUND, 404)
        if not key.may_read(project.project_id):
            raise Refused(denied, 403)
        return project

    def run(self, key: ApiKey, run_id: str | None, denied: str, write: bool = False) -> Run:
        run = self.world.runs.get(run_id) if run_id is not None else None
        if run is None:
            raise Refused(RUN_NOT_FOUND, 404)
        allowed = key.may_write(run.project_id) if write else key.may_read(run.project_id)
        if not allowed:
            raise Refused(denied, 403)
        return run

    def instance(self, key: ApiKey, instance_id: str | None) -> Instance:
        instance = self.world.instances.get(instance_id) if instance_id is not None else None
        if instance is None:
            raise Refused(INSTANCE_NOT_FOUND, 404)
        if not key.may_read(instance.project_id):
            raise Refused(INSTANCE_DENIED, 403)
        return instance

    # Projects

    def list_projects(self, key: ApiKey, query: Query) -> CursorPage:
        projects = sorted(self.world.projects.values(), key=lambda p: (p.created_at, p.cursor), reverse=True)
        return cursor_page(query, projects, lambda p: key.may_read(p.project_id), lambda p: p.cursor, 100)

    # Runs

    def runs_of(self, project_id: str) -> list[Run]:
        """A project's runs, newest first."""
        runs = [r for r in self.world.runs.values() if r.project_id == project_id]
        return sorted(runs, key=lambda r: (r.created_at, r.cursor), reverse=True)

    def list_runs(self, key: ApiKey, project_id: str | None, query: Query) -> CursorPage:
        project = self.project(key, project_id, "Insufficient permissions to access project runs")
        runs = self.runs_of(project.project_id)
        run_filter = RunFilter.from_query(query)
        return cursor_page(query, runs, lambda r: run_filter.matches(r.body, r.created_at), lambda r: r.cursor)

    def find_run(self, key: ApiKey, query: Query) -> Run:
        """The most recent completed run of `projectId` with `ciBuildId`, or on `branch` with all `tags[]`."""
        project_id = query.text("projectId")
        if not project_id:
            raise BadRequest("Missing required parameter: projectId")
        project = self.project(key, project_id, "Insufficient permissions to access project runs")
        ci_build_id = query.text("ciBuildId")
        branch = query.text("branch")
        tags = set(query.array("tags[]", "tag"))
        query.boolean("pwLastRun")
        for run in self.runs_of(project.project_id):
            meta = run.body["meta"]
            if run.completion_state != "COMPLETE":
                continue
            if ci_build_id is not None and meta.get("ciBuildId") != ci_build_id:
                continue
            if ci_build_id is None and branch is not None and meta["commit"].get("branch") != branch:
                continue
            if ci_build_id is None and not tags <= set(run.body.get("tags") or []):
                continue
            return run
        raise Refused(RUN_NOT_FOUND, 404)

    def cancel_run(self, key: ApiKey, run_id: str | None) -> dict[str, Any]:
        run = self.run(key, run_id, "Insufficient permissions to cancel this run", write=True)
        if run.completion_state == "CANCELED":
            raise Refused("Run already cancelled", 422)
        cancellation = {"actor": f"api:{key.name}", "canceledAt": iso(dt.datetime.now(dt.UTC)), "reason": "apiRequest"}
        run.body["completionState"] = "CANCELED"
        run.body["status"] = "FAILED"
        run.body["cancellation"] = cancellation
        self.run_event(run, "RUN_CANCELED")
        return {**cancellation, "runId": run.run_id}

    def reset_run(self, key: ApiKey, run_id: str | None, body: Any) -> dict[str, Any]:
        """Hand the specs the named machines claimed back to the queue: unclaimed, without results."""
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
        run = self.run(key, run_id, "Insufficient permissions to reset this run", write=True)
        named = set(machines)
        members = [self.world.instances[i] for i in run.instance_ids]
        reset = 0
        for n, instance in enumerate(members):
            if instance.data.get("machineId") in named and instance.data.get("machineId"):
                data = {**instance.data, "machineId": "", "completedAt": None, "results": None}
                members[n] = self.world.instances[instance.instance_id] = instance_from_data(data, "reset")
                reset += 1
        if reset:
            state = run.completion_state if run.completion_state == "CANCELED" else "IN_PROGRESS"
            meta = run.body["meta"]
            run.body = derive_run(
                run.run_id,
                members,
                state,
                meta["commit"],
                meta["ciBuildId"],
                run.created_at,
                run.body.get("tags") or [],
                run.body.get("cancellation"),
            )
        return {"runId": run.run_id, "machineId": list(machines), "isBatchedOr8n": batched, "resetSpecs": reset}

    def delete_run(self, key: ApiKey, run_id: str | None) -> dict[str, Any]:
        """Remove a run and its instances: they answer 404 and leave every listing and view."""
        run = self.run(key, run_id, "Insufficient permissions to delete this run", write=True)
        del self.world.runs[run.run_id]
        for instance_id in run.instance_ids:
            self.world.instances.pop(instance_id, None)
        return {"runId": run.run_id, "actor": "API Request"}

    # Test executions and the views derived from them

    def executions(self, project_id: str | None = None) -> Iterator[Execution]:
        for run in self.world.runs.values():
            if project_id is not None and run.project_id != project_id:
                continue
            for instance_id in run.instance_ids:
                instance = self.world.instances.get(instance_id)
                if instance is None or not instance.completed:
                    continue
                spec = str(instance.data.get("spec"))
                for n, test in enumerate(instance.tests):
                    title = [str(part) for part in test.get("title") or [] if isinstance(part, str)] or [f"test {n}"]
                    attempts = [a for a in test.get("attempts") or [] if isinstance(a, dict)]
                    duration = test.get("duration")
                    if not isinstance(duration, int):
                        duration = sum(int(a.get("wallClockDuration") or a.get("duration") or 0) for a in attempts)
                    yield Execution(
                        run=run,
                        instance=instance,
                        test=test,
                        title=title,
                        signature=signature_of(run.project_id, spec, title),
                        status=test_state(test.get("state") or test.get("_s")),
                        duration=max(0, int(duration)),
                        flaky=bool(test.get("isFlaky")),
                        created_at=run.created_at + dt.timedelta(seconds=n),
                    )

    def test_results(self, key: ApiKey, signature: str | None, query: Query) -> CursorPage:
        start, end = query.date_range(required=True)
        # The spec's bracketed names, and the docs' older ones (`branch[]`, `tag[]`, `git_author[]`, `group[]`).
        wanted = {
            "branch": set(query.array("branches[]", "branch[]")),
            "tag": set(query.array("tags[]", "tag[]")),
            "author": set(query.array("authors[]", "git_author[]")),
            "group": set(query.array("groups[]", "group[]")),
            "status": set(query.array("status[]")),
        }
        flaky = query.boolean("flaky")
        matching = [e for e in self.executions() if e.signature == signature]
        if not matching:
            raise Refused(SIGNATURE_NOT_FOUND, 404)
        if not key.may_read(matching[0].run.project_id):
            raise Refused("Insufficient permissions to access test results", 403)

        def keep(e: Execution) -> bool:
            tags = set(e.run.body.get("tags") or [])
            return (
                (start is None or e.created_at >= start)
                and (end is None or e.created_at <= end)
                and (not wanted["branch"] or e.commit.get("branch") in wanted["branch"])
                and (not wanted["author"] or e.commit.get("authorName") in wanted["author"])
                and (not wanted["tag"] or bool(wanted["tag"] & tags))
                and (not wanted["group"] or e.instance.data.get("groupId") in wanted["group"])
                and (not wanted["status"] or e.status in wanted["status"])
                and (flaky is None or e.flaky == flaky)
            )

        ordered = sorted(matching, key=lambda e: (e.created_at, result_cursor(e)), reverse=True)
        return cursor_page(query, ordered, keep, result_cursor, 100)

    def signature(self, key: ApiKey, body: Any) -> str:
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
        if not key.may_read(project_id):
            raise Refused("Insufficient permissions to generate test signatures", 403)
        return signature_of(project_id, spec, title)

    def project_executions(self, key: ApiKey, project_id: str | None, query: Query, denied: str) -> list[Execution]:
        """The executions of a project in the required date range, with the filters both explorers share."""
        project = self.project(key, project_id, denied)
        start, end = query.date_range(required=True)
        tags, authors, branches = (
            set(query.array("tags[]")),
            set(query.array("authors[]")),
            set(query.array("branches[]")),
        )
        groups = set(query.array("groups[]"))
        chosen = []
        for e in self.executions(project.project_id):
            if (start is not None and e.created_at < start) or (end is not None and e.created_at > end):
                continue
            if tags and not tags & set(e.run.body.get("tags") or []):
                continue
            if authors and e.commit.get("authorName") not in authors:
                continue
            if branches and e.commit.get("branch") not in branches:
                continue
            if groups and e.instance.data.get("groupId") not in groups:
                continue
            chosen.append(e)
        return chosen


def result_cursor(execution: Execution) -> str:
    return make_cursor(execution.created_at, f"{execution.instance.instance_id}/{execution.signature}")


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


def ordered(items: list[dict[str, Any]], query: Query, orders: tuple[str, ...], default: str) -> list[dict[str, Any]]:
    """`items` sorted by `order` (a metric, or `title`/`spec`) in `dir` (default desc), ties by signature."""
    order = query.text("order")
    order = default if order is None else order
    if order not in orders:
        raise BadRequest(f"Invalid order parameter. Must be one of {', '.join(orders)}")
    direction = query.text("dir")
    direction = "desc" if direction is None else direction
    if direction not in ("asc", "desc"):
        raise BadRequest("Invalid dir parameter. Must be asc or desc")

    def sort_key(item: dict[str, Any]) -> tuple[Any, str]:
        value = item.get(order, item["metrics"].get(order, 0))
        return (value if value is not None else 0, item["signature"])

    return sorted(items, key=sort_key, reverse=direction == "desc")
