"""Test executions: one test of one completed instance, the unit every derived view of the mock counts.

Scope: `executions(world, project_id)` yields an `Execution` per test of every completed instance of the
live runs (a deleted run no longer counts), with its title parts, its state (`test_state`: the four states
Currents reports), its duration, whether it was flaky, and the signature `signature_of` gives (a function of
the project, the spec file path and the title). An execution's `created_at` is its run's creation plus one
second per test, so that results order stably; `result_cursor` is the cursor of its test result.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from contract_tests.mock_api.entities import Instance, Run, World, hex_digest, make_cursor

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


def executions(world: World, project_id: str | None = None) -> Iterator[Execution]:
    """The executions of every live run (of `project_id`'s runs only, when given)."""
    for run in world.runs.values():
        if project_id is not None and run.project_id != project_id:
            continue
        for instance_id in run.instance_ids:
            instance = world.instances.get(instance_id)
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


def result_cursor(execution: Execution) -> str:
    return make_cursor(execution.created_at, f"{execution.instance.instance_id}/{execution.signature}")
