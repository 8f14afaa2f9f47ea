"""A history store built from a mock's answers, by plain INSERTs, for the tests.

`harvest(base_url, key)` reads what a sync would read, over HTTP: every project the key sees, every run of each
(all pages), each run's claimed instances (`get_run`, `get_instance`) and their records (`iter_tests`), and the
Tests Explorer's numbers (`list_tests`, all pages). `build_store(path, harvest)` writes it into a DuckDB file of
the shape of the package's `history/schema.sql`, which it applies through `open_store`, as `currents-api sync` does.

The store is made by `create_store` of scripts/history/synthetic.py, which also adds the made-up project of the
benchmark and of `make spark-check`.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
from currents_api_client import AuthenticatedClient, TestRecord, iter_tests
from currents_api_client.api.instances import get_instance
from currents_api_client.api.projects import list_projects
from currents_api_client.api.runs import get_run, list_project_runs
from currents_api_client.api.tests import list_tests

from scripts.history.synthetic import create_store

SYNCED_AT = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
EXPLORER_FROM = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
EXPLORER_TO = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class RunRow:
    run_id: str
    project_id: str
    created_at: dt.datetime
    status: str | None
    completed: bool
    branch: str | None
    commit_sha: str | None
    commit_message: str | None
    tags: list[str]
    ci_build_id: str | None
    group_ids: list[str]


@dataclass
class Harvest:
    """What the API answered: runs, instances (as dicts), records, and the explorer's tests."""

    runs: list[RunRow] = field(default_factory=list)
    instances: list[dict[str, Any]] = field(default_factory=list)
    records: list[tuple[RunRow, TestRecord]] = field(default_factory=list)
    explorer: list[dict[str, Any]] = field(default_factory=list)


def _moment(text: Any) -> dt.datetime | None:
    return None if text is None else dt.datetime.fromisoformat(str(text)).astimezone(dt.UTC)


def _run_row(body: dict[str, Any]) -> RunRow:
    meta = body.get("meta") or {}
    commit = meta.get("commit") or {}
    return RunRow(
        run_id=body["runId"],
        project_id=body["projectId"],
        created_at=_moment(body["createdAt"]) or SYNCED_AT,
        status=body.get("status"),
        completed=body.get("completionState") != "IN_PROGRESS",
        branch=commit.get("branch"),
        commit_sha=commit.get("sha"),
        commit_message=commit.get("message"),
        tags=list(body.get("tags") or []),
        ci_build_id=meta.get("ciBuildId"),
        group_ids=[group["groupId"] for group in body.get("groups") or []],
    )


def _project_runs(client: AuthenticatedClient, project_id: str) -> list[str]:
    run_ids: list[str] = []
    cursor: str | None = None
    while True:
        page = list_project_runs.sync(project_id, client=client, limit=50, starting_after=cursor)
        run_ids += [item.run_id for item in page.data]
        if not page.has_more or not page.data:
            return run_ids
        cursor = page.data[-1].cursor


def _explorer(client: AuthenticatedClient, project_id: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    page_number = 0
    while True:
        page = list_tests.sync(
            project_id, client=client, date_start=EXPLORER_FROM, date_end=EXPLORER_TO, limit=50, page=page_number
        ).data
        for test in page.list_:
            found.append({"project_id": project_id, **test.to_dict()})
        if page.next_page is False or not page.list_:
            return found
        page_number = page.next_page


def harvest(base_url: str, key: str) -> Harvest:
    got = Harvest()
    with AuthenticatedClient(base_url=base_url, token=key) as client:
        projects = [p.project_id for p in list_projects.sync(client=client, limit=50).data]
        for project_id in projects:
            for run_id in _project_runs(client, project_id):
                run = get_run.sync(run_id, client=client).data
                row = _run_row(run.to_dict())
                got.runs.append(row)
                for spec in run.specs or ():
                    if spec.claimed_at is None:  # not claimed: nothing ran, the API has no instance yet
                        continue
                    instance = get_instance.sync(spec.instance_id, client=client).data
                    got.instances.append(instance.to_dict())
                    got.records += [(row, record) for record in iter_tests(instance)]
            got.explorer += _explorer(client, project_id)
    return got


def record_key(record: TestRecord) -> str:
    """HISTORY_SCHEMA's test_key: the test id when the record has one, else 'title:' and the title path as JSON."""
    if record.test_id:
        return record.test_id
    return "title:" + json.dumps(list(record.title), ensure_ascii=False, separators=(",", ":"))


def build_store(path: Path, got: Harvest) -> None:
    connection = create_store(path)
    try:
        connection.executemany(
            "INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                [
                    *(r.run_id, r.project_id, r.created_at, r.status, r.completed, r.branch, r.commit_sha),
                    *(r.commit_message, r.tags, r.ci_build_id, r.group_ids, SYNCED_AT),
                ]
                for r in got.runs
            ],
        )
        runs = {r.run_id: r for r in got.runs}
        connection.executemany(
            "INSERT INTO instances VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                [
                    i["instanceId"],
                    i["runId"],
                    runs[i["runId"]].project_id,
                    i["spec"],
                    i.get("groupId"),
                    (i.get("framework") or {}).get("type"),
                    True,
                    i.get("completedAt") is not None,
                    _moment(i.get("createdAt")),
                    SYNCED_AT,
                ]
                for i in got.instances
            ],
        )
        insert_records(connection, got.records)
        connection.executemany(
            "INSERT INTO explorer_tests VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                [
                    t["project_id"],
                    t["spec"],
                    t["title"].split(" > "),  # the explorer joins the title path with " > "
                    t.get("signature"),
                    t["metrics"]["executions"],
                    t["metrics"]["flakinessRate"],
                    t["metrics"]["failureRate"],
                    SYNCED_AT,
                    json.dumps(t["title"].split(" > "), ensure_ascii=False, separators=(",", ":")),
                ]
                for t in got.explorer
            ],
        )
    finally:
        connection.close()


def insert_records(connection: duckdb.DuckDBPyConnection, records: list[tuple[RunRow, TestRecord]]) -> None:
    connection.executemany(
        "INSERT INTO tests VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            [
                *(run.project_id, r.run_id, r.instance_id, record_key(r), r.test_id, r.spec, list(r.title), r.state),
                *(r.runner_state, r.attempts, r.flaky, r.duration_ms, r.error_message, run.created_at),
                *(run.branch, run.commit_sha),
            ]
            for run, r in records
        ],
    )
