# Hand-written, not generated: `make generate` never touches currents_api_client/lib/ (see lib/__init__.py).
"""The rows of the history store's tables, from the client's models: one function per table, and the writer.

- `run_row`, `instance_row`, `unclaimed_row`, `record_row`, `explorer_row`: tuples in the column order of
  `schema.sql` (the `COLUMNS` of each table).
- `key_of(record)`: a test's key within its instance: its `test_id`, else `title:` and the JSON array of its
  title path (a crashed spec's record has no id and an empty title: `title:[]`).
- `insert(connection, table, rows)`: `INSERT OR REPLACE` of many rows in one statement, column by column.

A field the API adds later is not read (the client keeps it in `additional_properties`), so it never breaks a
sync; a field the API drops is NULL where the column allows it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any, TypeAlias

import duckdb

from ...models.cypress_instance import CypressInstance
from ...models.run_list_item import RunListItem
from ...models.run_spec import RunSpec
from ...models.test_summary import TestSummary
from ...types import Unset
from ..records import Instance, TestRecord
from ..runs import Run

Row: TypeAlias = tuple[Any, ...]
COLUMNS: dict[str, tuple[str, ...]] = {
    "runs": (
        "run_id",
        "project_id",
        "created_at",
        "status",
        "completed",
        "branch",
        "commit_sha",
        "commit_message",
        "tags",
        "ci_build_id",
        "group_ids",
        "synced_at",
    ),
    "instances": (
        "instance_id",
        "run_id",
        "project_id",
        "spec",
        "group_id",
        "runner",
        "claimed",
        "completed",
        "created_at",
        "synced_at",
    ),
    "tests": (
        "project_id",
        "run_id",
        "instance_id",
        "test_key",
        "test_id",
        "spec",
        "title",
        "state",
        "runner_state",
        "attempts",
        "flaky",
        "duration_ms",
        "error_message",
        "created_at",
        "branch",
        "commit_sha",
    ),
    "explorer_tests": (
        "project_id",
        "spec",
        "title",
        "signature",
        "executions",
        "flakiness_rate",
        "failure_rate",
        "synced_at",
        "title_key",
    ),
}
RUNNING = "IN_PROGRESS"  # the one completionState of a run that is not finished
TITLE_SEPARATOR = " > "  # how the Tests Explorer joins a title path


def _set(value: Any) -> Any:
    return None if isinstance(value, Unset) else value


def run_finished(run: Run | RunListItem) -> bool:
    return run.completion_state != RUNNING


def run_commit(run: Run) -> tuple[str | None, str | None, str | None, str | None]:
    """(branch, sha, message, ci_build_id) of the run's meta, None where absent."""
    meta = _set(run.meta)
    commit = _set(meta.commit) if meta is not None else None
    build = _set(meta.ci_build_id) if meta is not None else None
    if commit is None:
        return None, None, None, build
    return _set(commit.branch), _set(commit.sha), _set(commit.message), build


def run_row(run: Run, synced_at: dt.datetime) -> Row:
    branch, sha, message, build = run_commit(run)
    groups = [g.group_id for g in _set(run.groups) or ()]
    tags = list(_set(run.tags) or ())
    return (
        run.run_id,
        run.project_id,
        run.created_at,
        run.status,
        run_finished(run),
        branch,
        sha,
        message,
        tags,
        build,
        groups,
        synced_at,
    )


def instance_finished(instance: Instance, spec: RunSpec) -> bool:
    """The instance has its final results: it says `completedAt`, or the run's spec does."""
    return _set(instance.completed_at) is not None or _set(spec.completed_at) is not None


def instance_row(run: Run, spec: RunSpec, instance: Instance, synced_at: dt.datetime) -> Row:
    runner = "cypress" if isinstance(instance, CypressInstance) else instance.framework.type_
    return (
        instance.instance_id,
        run.run_id,
        run.project_id,
        instance.spec,
        _set(instance.group_id),
        runner,
        True,
        instance_finished(instance, spec),
        instance.created_at,
        synced_at,
    )


def unclaimed_row(run: Run, spec: RunSpec, synced_at: dt.datetime) -> Row:
    """A spec no machine has claimed yet: no results, so neither claimed nor completed."""
    group = _set(spec.group_id)
    return (spec.instance_id, run.run_id, run.project_id, spec.spec, group, None, False, False, None, synced_at)


def key_of(record: TestRecord) -> str:
    if record.test_id:
        return record.test_id
    return "title:" + json.dumps(list(record.title), ensure_ascii=False)


def record_row(run: Run, record: TestRecord) -> Row:
    branch, sha, _, _ = run_commit(run)
    return (
        run.project_id,
        record.run_id,
        record.instance_id,
        key_of(record),
        record.test_id,
        record.spec,
        list(record.title),
        record.state,
        record.runner_state,
        record.attempts,
        record.flaky,
        record.duration_ms,
        record.error_message,
        run.created_at,
        branch,
        sha,
    )


def explorer_row(project_id: str, test: TestSummary, synced_at: dt.datetime) -> Row:
    metrics = test.metrics
    title = test.title.split(TITLE_SEPARATOR)
    return (
        project_id,
        test.spec,
        title,
        test.signature,
        _set(metrics.executions),
        _set(metrics.flakiness_rate),
        _set(metrics.failure_rate),
        synced_at,
        json.dumps(title, ensure_ascii=False),
    )


def insert(connection: duckdb.DuckDBPyConnection, table: str, rows: Sequence[Row]) -> None:
    """`INSERT OR REPLACE` every row into `table` in one statement: each column goes in as one list parameter and
    `unnest` turns the lists back into rows (some fifty times quicker than a VALUES row per row)."""
    if not rows:
        return
    columns = COLUMNS[table]
    values = [list(column) for column in zip(*rows, strict=True)]
    selected = ", ".join(f"unnest(${index})" for index in range(1, len(columns) + 1))
    connection.execute(f"INSERT OR REPLACE INTO {table} ({', '.join(columns)}) SELECT {selected}", values)
