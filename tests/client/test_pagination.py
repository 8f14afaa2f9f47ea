"""Auto-pagination: the generated `iterate`/`aiterate` walk every page of a listing against a loopback server, and
end with errors.PaginationError, not a loop, on a listing that does not advance."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

import pytest
from currents_api_client import AuthenticatedClient, errors
from currents_api_client.api.projects import list_projects
from currents_api_client.api.runs import list_project_runs
from currents_api_client.api.spec_files import list_spec_files
from currents_api_client.api.test_results import get_test_results
from currents_api_client.models import RunListItem, SpecFileSummary

from tests.client.conftest import API_KEY, ScriptedServer
from tests.client.scripted_api import Reply

Walk = Callable[..., list[Any]]


def run_page(cursors: list[str], has_more: bool, run_ids: list[str] | None = None) -> Reply:
    """A page of runs with these cursors; each run's id is `run-<cursor>` unless `run_ids` names them."""
    items = [
        {"runId": run_id, "projectId": "Qx7Lm2", "createdAt": "2026-04-02T09:14:05Z", "status": "PASSED",
         "completionState": "COMPLETE", "cursor": c}
        for c, run_id in zip(cursors, run_ids or [f"run-{c}" for c in cursors], strict=True)
    ]  # fmt: skip
    return Reply(200, {"status": "OK", "has_more": has_more, "data": items})


def spec_page(specs: list[str], next_page: int | bool) -> Reply:
    items = [{"signature": f"sig-{s}", "spec": s, "metrics": {"overallExecutions": 1}} for s in specs]
    return Reply(200, {"status": "OK", "data": {"list": items, "total": 5, "nextPage": next_page}})


def walk_runs(server: ScriptedServer, mode: str, **arguments: Any) -> list[Any]:
    with AuthenticatedClient(token=API_KEY, base_url=server.base_url, max_retries=0) as client:
        if mode == "sync":
            return list(list_project_runs.iterate("Qx7Lm2", client=client, **arguments))

        async def collect() -> list[Any]:
            return [run async for run in list_project_runs.aiterate("Qx7Lm2", client=client, **arguments)]

        return asyncio.run(collect())


def walk_spec_files(server: ScriptedServer, mode: str, **arguments: Any) -> list[Any]:
    dates: dict[str, Any] = {"date_start": "2026-03-01", "date_end": "2026-03-31"}
    with AuthenticatedClient(token=API_KEY, base_url=server.base_url, max_retries=0) as client:
        if mode == "sync":
            return list(list_spec_files.iterate("Qx7Lm2", client=client, **dates, **arguments))

        async def collect() -> list[Any]:
            walk = list_spec_files.aiterate("Qx7Lm2", client=client, **dates, **arguments)
            return [spec async for spec in walk]

        return asyncio.run(collect())


def queries(server: ScriptedServer) -> list[dict[str, list[str]]]:
    return [parse_qs(r.query) for r in server.api.received]


MODES = ["sync", "async"]


@pytest.mark.parametrize("mode", MODES)
def test_cursor_walk_follows_the_last_cursor_across_pages_with_the_same_filters(
    server: ScriptedServer, mode: str
) -> None:
    server.api.script(run_page(["c1", "c2"], True), run_page(["c3", "c4"], True), run_page([], False))
    runs = walk_runs(server, mode, branches=["main"], limit=2)
    assert [run.cursor for run in runs] == ["c1", "c2", "c3", "c4"]
    assert all(isinstance(run, RunListItem) for run in runs)
    sent = queries(server)
    assert [q.get("starting_after") for q in sent] == [None, ["c2"], ["c4"]]
    assert all(q["branches[]"] == ["main"] and q["limit"] == ["2"] for q in sent)


@pytest.mark.parametrize("mode", MODES)
def test_max_items_stops_the_walk_without_asking_for_more_pages(server: ScriptedServer, mode: str) -> None:
    server.api.script(run_page(["c1", "c2"], True), run_page(["c3", "c4"], True), run_page(["c5"], False))
    runs = walk_runs(server, mode, max_items=3)
    assert [run.cursor for run in runs] == ["c1", "c2", "c3"]
    assert len(server.api.received) == 2


def test_max_items_zero_sends_nothing_and_a_negative_one_is_refused(server: ScriptedServer) -> None:
    assert walk_runs(server, "sync", max_items=0) == []
    assert server.api.received == []
    with pytest.raises(ValueError, match="max_items must be 0 or more"):
        walk_runs(server, "sync", max_items=-1)


@pytest.mark.parametrize("mode", MODES)
def test_a_page_that_repeats_a_cursor_ends_the_walk_with_a_clear_error(server: ScriptedServer, mode: str) -> None:
    server.api.script(run_page(["c1", "c2"], True), run_page(["c1", "c2"], True, ["run-x", "run-y"]))
    with pytest.raises(errors.PaginationError, match="lists the item with the cursor 'c1' again"):
        walk_runs(server, mode)
    assert len(server.api.received) == 2


@pytest.mark.parametrize("mode", MODES)
def test_has_more_with_no_items_ends_the_walk_with_a_clear_error(server: ScriptedServer, mode: str) -> None:
    server.api.script(run_page(["c1"], True), run_page([], True))
    with pytest.raises(errors.PaginationError, match="has_more but held no items"):
        walk_runs(server, mode)
    assert len(server.api.received) == 2


def test_a_walk_started_after_a_cursor_refuses_a_page_that_ends_on_it(server: ScriptedServer) -> None:
    server.api.script(run_page(["c9"], True))
    with pytest.raises(errors.PaginationError, match="'c9'"):
        walk_runs(server, "sync", starting_after="c9")
    assert queries(server)[0]["starting_after"] == ["c9"]


@pytest.mark.parametrize("mode", MODES)
def test_offset_walk_follows_next_page_until_false(server: ScriptedServer, mode: str) -> None:
    server.api.script(spec_page(["a", "b"], 1), spec_page(["c", "d"], 2), spec_page(["e"], False))
    specs = walk_spec_files(server, mode, limit=2)
    assert [s.spec for s in specs] == ["a", "b", "c", "d", "e"]
    assert all(isinstance(s, SpecFileSummary) for s in specs)
    assert [q["page"] for q in queries(server)] == [["0"], ["1"], ["2"]]


@pytest.mark.parametrize("mode", MODES)
def test_offset_next_page_that_does_not_advance_ends_the_walk(server: ScriptedServer, mode: str) -> None:
    server.api.script(spec_page(["a"], 1), spec_page(["b"], 1))
    with pytest.raises(errors.PaginationError, match="page 1 named nextPage 1"):
        walk_spec_files(server, mode)
    assert len(server.api.received) == 2


def test_offset_walk_starts_at_the_given_page_and_refuses_an_empty_page_with_a_next_one(server: ScriptedServer) -> None:
    server.api.script(spec_page([], 4))
    with pytest.raises(errors.PaginationError, match="page 3 held no items"):
        walk_spec_files(server, "sync", page=3)
    assert queries(server)[0]["page"] == ["3"]


def test_every_paginated_operation_has_iterate_and_aiterate_and_no_other_has() -> None:
    from currents_api_client.api.instances import get_instance
    from currents_api_client.api.runs import get_run
    from currents_api_client.api.tests import list_tests

    for module in (list_projects, list_project_runs, list_spec_files, list_tests, get_test_results):
        assert callable(module.iterate) and callable(module.aiterate), module.__name__
    for module in (get_run, get_instance):
        assert not hasattr(module, "iterate"), module.__name__
