"""The one object that owns the mock's state, as moto's backends do: the world and every change to it.

Scope: `MockBackend` holds the `World` (`seed.build_world`) and answers every operation of the mock in
domain terms: it takes plain typed arguments (a key, ids, a `RunFilter`, a `CursorParams`, machine ids),
returns entities and domain values, and raises the domain errors of `errors` (`NotFound`, `Denied`,
`Invalid`, `Conflict`) with the API's messages. It knows no HTTP: the resource modules read the request,
call it, and build the answers. State lives in this process: cancel, reset and delete change it, and a
restart builds the same world again. Actions, webhooks and cancel by CI are its `settings`
(`project_settings.ProjectSettings`), over the same world.

Access (`ApiKey`): a key reaches the projects it lists; another project's resource is `Denied`, and
listings show only the projects a key reaches. Cancel, reset and delete need the `write` scope. A resource
that does not exist is `NotFound` before any permission check, as Currents answers.

Derived views, computed from the live runs on each request (a deleted run no longer counts): test results
and the explorers' aggregates, over the `executions` of the world.

Limits: single-threaded use (uvicorn's event loop); no rate limiting.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

from contract_tests.mock_api.entities import Instance, Project, Run, World, instance_from_data, iso
from contract_tests.mock_api.errors import (
    INSTANCE_DENIED,
    INSTANCE_NOT_FOUND,
    PROJECT_NOT_FOUND,
    RUN_NOT_FOUND,
    SIGNATURE_NOT_FOUND,
    Conflict,
    Denied,
    NotFound,
)
from contract_tests.mock_api.executions import Execution, executions, result_cursor, signature_of
from contract_tests.mock_api.filters import ExecutionFilter, ResultFilter, RunFilter
from contract_tests.mock_api.keys import ApiKey
from contract_tests.mock_api.pagination import CursorPage, CursorParams, cursor_page
from contract_tests.mock_api.project_settings import ProjectSettings
from contract_tests.mock_api.run_bodies import derive_run
from contract_tests.mock_api.seed import build_world

RUNS_DENIED = "Insufficient permissions to access project runs"


class MockBackend:
    def __init__(self, world: World | None = None) -> None:
        self.world = world if world is not None else build_world()
        # Told of each run event (`RUN_CANCELED`, ...) as it happens: the webhook deliveries (app.py).
        self.run_listeners: list[Callable[[Run, str], None]] = []
        self.settings = ProjectSettings(self)

    def run_event(self, run: Run, event: str) -> None:
        for listener in self.run_listeners:
            listener(run, event)

    # Access

    def project(self, key: ApiKey, project_id: str | None, denied: str) -> Project:
        project = self.world.projects.get(project_id) if project_id is not None else None
        if project is None:
            raise NotFound(PROJECT_NOT_FOUND)
        if not key.may_read(project.project_id):
            raise Denied(denied)
        return project

    def run(self, key: ApiKey, run_id: str | None, denied: str, write: bool = False) -> Run:
        run = self.world.runs.get(run_id) if run_id is not None else None
        if run is None:
            raise NotFound(RUN_NOT_FOUND)
        allowed = key.may_write(run.project_id) if write else key.may_read(run.project_id)
        if not allowed:
            raise Denied(denied)
        return run

    def instance(self, key: ApiKey, instance_id: str | None) -> Instance:
        instance = self.world.instances.get(instance_id) if instance_id is not None else None
        if instance is None:
            raise NotFound(INSTANCE_NOT_FOUND)
        if not key.may_read(instance.project_id):
            raise Denied(INSTANCE_DENIED)
        return instance

    # Projects

    def list_projects(self, key: ApiKey, page: CursorParams) -> CursorPage:
        projects = sorted(self.world.projects.values(), key=lambda p: (p.created_at, p.cursor), reverse=True)
        return cursor_page(page, projects, lambda p: key.may_read(p.project_id), lambda p: p.cursor)

    # Runs

    def runs_of(self, project_id: str) -> list[Run]:
        """A project's runs, newest first."""
        runs = [r for r in self.world.runs.values() if r.project_id == project_id]
        return sorted(runs, key=lambda r: (r.created_at, r.cursor), reverse=True)

    def list_runs(self, project: Project, run_filter: RunFilter, page: CursorParams) -> CursorPage:
        runs = self.runs_of(project.project_id)
        return cursor_page(page, runs, lambda r: run_filter.matches(r.body, r.created_at), lambda r: r.cursor)

    def find_run(self, project: Project, ci_build_id: str | None, branch: str | None, tags: set[str]) -> Run:
        """The most recent completed run of `project` with `ci_build_id`, or on `branch` with all `tags`."""
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
        raise NotFound(RUN_NOT_FOUND)

    def cancel_run(self, key: ApiKey, run_id: str | None) -> Run:
        """Cancel a run: it fails, carries its `cancellation`, and the run's listeners hear `RUN_CANCELED`."""
        run = self.run(key, run_id, "Insufficient permissions to cancel this run", write=True)
        if run.completion_state == "CANCELED":
            raise Conflict("Run already cancelled")
        cancellation = {"actor": f"api:{key.name}", "canceledAt": iso(dt.datetime.now(dt.UTC)), "reason": "apiRequest"}
        run.body["completionState"] = "CANCELED"
        run.body["status"] = "FAILED"
        run.body["cancellation"] = cancellation
        self.run_event(run, "RUN_CANCELED")
        return run

    def reset_run(self, key: ApiKey, run_id: str | None, machines: list[str]) -> tuple[Run, int]:
        """Hand the specs the named machines claimed back to the queue: unclaimed, without results.
        The run, and how many specs were reset."""
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
        return run, reset

    def delete_run(self, key: ApiKey, run_id: str | None) -> Run:
        """Remove a run and its instances: they are not found again and leave every listing and view."""
        run = self.run(key, run_id, "Insufficient permissions to delete this run", write=True)
        del self.world.runs[run.run_id]
        for instance_id in run.instance_ids:
            self.world.instances.pop(instance_id, None)
        return run

    # Test executions and the views derived from them

    def executions(self, project_id: str | None = None) -> Iterator[Execution]:
        return executions(self.world, project_id)

    def signature_executions(self, key: ApiKey, signature: str | None) -> list[Execution]:
        """Every execution of the test with `signature`: not found when there is none."""
        matching = [e for e in self.executions() if e.signature == signature]
        if not matching:
            raise NotFound(SIGNATURE_NOT_FOUND)
        if not key.may_read(matching[0].run.project_id):
            raise Denied("Insufficient permissions to access test results")
        return matching

    def test_results(self, matching: list[Execution], wanted: ResultFilter, page: CursorParams) -> CursorPage:
        """One page of a signature's executions (`signature_executions`), newest first."""
        ordered = sorted(matching, key=lambda e: (e.created_at, result_cursor(e)), reverse=True)
        return cursor_page(page, ordered, wanted.matches, result_cursor)

    def signature(self, key: ApiKey, project_id: str, spec: str, title: list[str]) -> str:
        if not key.may_read(project_id):
            raise Denied("Insufficient permissions to generate test signatures")
        return signature_of(project_id, spec, title)

    def project_executions(self, project: Project, window: ExecutionFilter) -> list[Execution]:
        """The executions of a project that the explorers' and insights' filters keep."""
        return [e for e in self.executions(project.project_id) if window.matches(e)]

    def project_runs(self, project: Project, window: ExecutionFilter) -> list[Run]:
        """The runs of a project, newest first, that the insights' filters keep."""
        return [r for r in self.runs_of(project.project_id) if window.matches_run(r)]
