"""A run's body derived from its instances, as Currents reports a run: `derive_run` and `run_commit`.

Scope: `derive_run` gives the `data` of one run for its instances (all of one runner and project):
`specs[]` name them, each group's `instances` and `tests` progress is the sum of what its instances hold, and
`status` follows from their results and the completion state. The seed (`seed.build_world`) derives every run
this way, and the backend derives a run again when a reset hands its specs back to the queue.

Limits: runs hold one runner each (a Cypress run carries `cypressVersion`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from contract_tests.mock_api.entities import Instance, as_dict, iso, parse_iso

TIMEOUT_MS = 3_600_000
# The counts a run's spec carries from its instance's stats (a run lists no field its spec does not).
RUN_SPEC_STATS = frozenset(
    {"overall", "tests", "passes", "failures", "pending", "skipped", "flaky", "retries"}
    | {"wallClockStartedAt", "wallClockEndedAt", "wallClockDuration"}
)


def group_progress(instances: list[Instance]) -> dict[str, Any]:
    completed = [i for i in instances if i.completed]
    failed = [i for i in completed if int(i.stats.get("failures") or 0) > 0]
    tests = {key: 0 for key in ("overall", "tests", "passes", "failures", "pending", "skipped", "flaky", "retries")}
    for instance in instances:
        stats = instance.stats
        tests["tests"] += int(stats.get("tests") or 0)
        for key in ("passes", "failures", "pending", "skipped", "flaky", "retries"):
            tests[key] += int(stats.get(key) or 0)
    tests["overall"] = tests["tests"]
    return {
        "instances": {
            "overall": len(instances),
            "claimed": sum(1 for i in instances if i.claimed),
            "complete": len(completed),
            "passes": len(completed) - len(failed),
            "failures": len(failed),
        },
        "tests": tests,
    }


def spec_entry(instance: Instance) -> dict[str, Any]:
    data = instance.data
    results = data.get("results") if isinstance(data.get("results"), dict) else None
    entry: dict[str, Any] = {
        "groupId": data.get("groupId"),
        "spec": data.get("spec"),
        "instanceId": instance.instance_id,
        "claimedAt": data.get("claimedAt") or (data.get("createdAt") if instance.claimed else None),
        "completedAt": instance.completed_at,
        "machineId": data.get("machineId") or "",
        "tags": [t for t in data.get("tags") or [] if isinstance(t, str)],
        "inactivityTimeoutMs": None,
        "results": None,
    }
    if results is not None and instance.stats:
        stats = {k: v for k, v in instance.stats.items() if k in RUN_SPEC_STATS}
        stats.setdefault("overall", stats.get("tests", 0))
        stats.setdefault("flaky", 0)
        stats.setdefault("retries", 0)
        entry["results"] = {"stats": stats, "flaky": int(stats.get("flaky") or 0), "videoUrl": None}
    worker = data.get("worker")
    if isinstance(worker, dict) and {"workerIndex", "parallelIndex"} <= worker.keys():
        entry["worker"] = {"workerIndex": worker["workerIndex"], "parallelIndex": worker["parallelIndex"]}
    return entry


def run_status(completion_state: str, groups: list[dict[str, Any]]) -> str:
    failures = sum(g["tests"]["failures"] + g["instances"]["failures"] for g in groups)
    if completion_state == "IN_PROGRESS":
        return "FAILING" if failures else "RUNNING"
    if completion_state == "COMPLETE":
        return "FAILED" if failures else "PASSED"
    return "FAILED"


def derive_run(
    run_id: str,
    instances: list[Instance],
    completion_state: str,
    commit: dict[str, Any],
    ci_build_id: str,
    created_at: dt.datetime,
    tags: list[str],
    cancellation: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The `data` of GET /runs/{runId} for these instances (all of one runner and project)."""
    first = instances[0].data
    by_group: dict[str, list[Instance]] = {}
    for instance in instances:
        by_group.setdefault(str(instance.data.get("groupId")), []).append(instance)
    groups = []
    for group_id, members in by_group.items():
        platform = as_dict(members[0].data.get("platform"))
        groups.append(
            {
                "groupId": group_id,
                "platform": {
                    "osName": str(platform.get("osName") or ""),
                    "osVersion": str(platform.get("osVersion") or ""),
                    "browserName": str(platform.get("browserName") or ""),
                    "browserVersion": str(platform.get("browserVersion") or ""),
                },
                **group_progress(members),
            }
        )
    ended = [parse_iso(end) for i in instances if (end := i.completed_at) is not None]
    duration = max(0, int(((max(ended) if ended else created_at) - created_at).total_seconds() * 1000))
    body: dict[str, Any] = {
        "runId": run_id,
        "projectId": instances[0].project_id,
        "createdAt": iso(created_at),
        "durationMs": duration,
        "tags": tags,
        "timeout": {"isTimeout": True, "timeoutValueMs": TIMEOUT_MS}
        if completion_state == "TIMEOUT"
        else {"isTimeout": False},
        "groups": groups,
        "meta": {"ciBuildId": ci_build_id, "commit": commit},
        "specs": [spec_entry(i) for i in instances],
        "completionState": completion_state,
        "status": run_status(completion_state, groups),
    }
    framework = first.get("framework") if isinstance(first.get("framework"), dict) else None
    if instances[0].runner == "cypress":
        body["cypressVersion"] = str(first.get("cypressVersion") or (framework or {}).get("version") or "13.0.0")
    if framework is not None and {"type", "version", "clientVersion"} <= framework.keys():
        body["meta"]["framework"] = {k: framework[k] for k in ("type", "version", "clientVersion")}
    if cancellation is not None:
        body["cancellation"] = cancellation
    return body


def run_commit(source: dict[str, Any]) -> dict[str, Any]:
    """A run's `meta.commit` from an instance's `commit` (the fields runs carry)."""
    commit = source if isinstance(source, dict) else {}
    out: dict[str, Any] = {
        "sha": commit.get("sha"),
        "branch": commit.get("branch"),
        "authorName": commit.get("authorName"),
        "authorEmail": commit.get("authorEmail"),
        "message": commit.get("message"),
        "remoteOrigin": commit.get("remoteOrigin"),
        "defaultBranch": None,
    }
    if isinstance(commit.get("ghaEventData"), dict):
        out["ghaEventData"] = commit["ghaEventData"]
    return out
