"""The guarantees of `iterate`/`aiterate` against servers that misbehave on loopback: no item is handed out
twice (by its id or its cursor), an offset listing cannot walk past its `total`, and no walk asks for more than
`max_pages` pages. Every walk here is bounded by count twice over: the server answers 500 past a number of
requests (the client does not retry), and the test takes at most a number of items, so a broken guard fails the
test instead of hanging it."""

from __future__ import annotations

import asyncio
import inspect
import itertools
from collections.abc import Callable
from typing import Any

import pytest
from currents_api_client import AuthenticatedClient, errors, types
from currents_api_client.api.runs import list_project_runs
from currents_api_client.api.spec_files import list_spec_files

from tests.client.conftest import API_KEY, ScriptedServer
from tests.client.scripted_api import Received, Reply, failed
from tests.client.test_pagination import run_page

MODES = ["sync", "async"]
MAX_REQUESTS = 30  # past this many requests the server answers 500, which ends any walk
MAX_TAKEN = 200  # no test takes more items than this from a walk


def bounded(responder: Callable[[list[Received]], Reply]) -> Callable[[list[Received]], Reply]:
    def answer(received: list[Received]) -> Reply:
        if len(received) > MAX_REQUESTS:
            return failed(500, "the test's request budget is spent: the walk did not stop")
        return responder(received)

    return answer


def walk(server: ScriptedServer, mode: str, operation: Any, *args: Any, **arguments: Any) -> tuple[list[Any], Any]:
    """The items a walk handed out (at most MAX_TAKEN), and the exception that ended it (None if none did)."""
    taken: list[Any] = []
    with AuthenticatedClient(token=API_KEY, base_url=server.base_url, max_retries=0) as client:
        if mode == "sync":
            try:
                taken.extend(itertools.islice(operation.iterate(*args, client=client, **arguments), MAX_TAKEN))
            except errors.CurrentsError as error:
                return taken, error
            return taken, None

        async def collect() -> BaseException | None:
            try:
                async for item in operation.aiterate(*args, client=client, **arguments):
                    taken.append(item)
                    if len(taken) == MAX_TAKEN:
                        break
            except errors.CurrentsError as error:
                return error
            return None

        return taken, asyncio.run(collect())


def runs(server: ScriptedServer, mode: str, **arguments: Any) -> tuple[list[Any], Any]:
    return walk(server, mode, list_project_runs, "Qx7Lm2", **arguments)


def spec_files(server: ScriptedServer, mode: str, **arguments: Any) -> tuple[list[Any], Any]:
    dates = {"date_start": "2026-03-01", "date_end": "2026-03-31"}
    return walk(server, mode, list_spec_files, "Qx7Lm2", **dates, **arguments)


def spec_page(signatures: list[str], next_page: int | bool, total: int) -> Reply:
    items = [{"signature": s, "spec": f"{s}.spec.ts", "metrics": {"overallExecutions": 1}} for s in signatures]
    return Reply(200, {"status": "OK", "data": {"list": items, "total": total, "nextPage": next_page}})


def endless_runs(received: list[Received]) -> Reply:
    """A listing that never ends: every page holds two new runs with new cursors and says more follow."""
    n = len(received)
    return run_page([f"c{n}a", f"c{n}b"], True)


@pytest.mark.parametrize("mode", MODES)
def test_a_server_that_hands_out_fresh_cursors_for_the_same_runs_is_stopped_at_the_first_repeat(
    server: ScriptedServer, mode: str
) -> None:
    def same_runs_fresh_cursors(received: list[Received]) -> Reply:
        n = len(received)
        return run_page([f"fresh-{n}-1", f"fresh-{n}-2"], True, ["run-1", "run-2"])

    server.api.respond_with(bounded(same_runs_fresh_cursors))
    taken, error = runs(server, mode)
    assert isinstance(error, errors.PaginationError), error
    assert "'run-1' again" in str(error)
    assert [run.run_id for run in taken] == ["run-1", "run-2"]  # the repeats were never handed out
    assert len(server.api.received) == 2


@pytest.mark.parametrize("mode", MODES)
def test_an_offset_listing_whose_next_page_passes_its_total_is_stopped(server: ScriptedServer, mode: str) -> None:
    def next_page_forever(received: list[Received]) -> Reply:
        page = int(received[-1].query.split("page=")[1].split("&")[0])
        return spec_page([f"sig-{page}"], page + 1, 1)  # a new item each time, and always one more page

    server.api.respond_with(bounded(next_page_forever))
    taken, error = spec_files(server, mode)
    assert isinstance(error, errors.PaginationError), error
    assert "past the 1 items the listing says it has" in str(error)
    assert [spec.signature for spec in taken] == ["sig-0"]
    assert len(server.api.received) == 1


@pytest.mark.parametrize("mode", MODES)
def test_an_offset_listing_that_repeats_its_items_on_each_page_is_stopped(server: ScriptedServer, mode: str) -> None:
    server.api.respond_with(bounded(lambda received: spec_page(["a", "b"], len(received), 100)))
    taken, error = spec_files(server, mode)
    assert isinstance(error, errors.PaginationError), error
    assert "the id 'a' again" in str(error)
    assert [spec.signature for spec in taken] == ["a", "b"]
    assert len(server.api.received) == 2


@pytest.mark.parametrize("mode", MODES)
def test_a_page_that_mixes_new_runs_with_a_repeat_hands_out_none_of_them(server: ScriptedServer, mode: str) -> None:
    server.api.script(run_page(["c1", "c2"], True), run_page(["c3", "c4", "c5"], True, ["run-3", "run-c1", "run-5"]))
    taken, error = runs(server, mode)
    assert isinstance(error, errors.PaginationError), error
    assert "'run-c1' again" in str(error)
    assert [run.run_id for run in taken] == ["run-c1", "run-c2"]


def test_a_run_listed_twice_on_one_page_is_refused(server: ScriptedServer) -> None:
    server.api.script(run_page(["c1", "c2"], False, ["run-1", "run-1"]))
    taken, error = runs(server, "sync")
    assert isinstance(error, errors.PaginationError) and "'run-1' again" in str(error)
    assert taken == []


def test_max_items_that_ends_a_walk_before_a_repeat_raises_nothing(server: ScriptedServer) -> None:
    server.api.script(run_page(["c1", "c2"], True), run_page(["c3", "c4"], True, ["run-3", "run-c1"]))
    taken, error = runs(server, "sync", max_items=3)
    assert error is None
    assert [run.run_id for run in taken] == ["run-c1", "run-c2", "run-3"]


@pytest.mark.parametrize("mode", MODES)
def test_max_pages_ends_an_endless_listing_with_an_error_after_that_many_pages(
    server: ScriptedServer, mode: str
) -> None:
    server.api.respond_with(bounded(endless_runs))
    taken, error = runs(server, mode, max_pages=4)
    assert isinstance(error, errors.PaginationError), error
    assert "4 pages were listed (max_pages) and the listing says more follow" in str(error)
    assert len(taken) == 8
    assert len(server.api.received) == 4


@pytest.mark.parametrize("mode", MODES)
def test_max_pages_that_the_last_page_reaches_exactly_raises_nothing(server: ScriptedServer, mode: str) -> None:
    server.api.script(spec_page(["a"], 1, 3), spec_page(["b"], 2, 3), spec_page(["c"], False, 3))
    taken, error = spec_files(server, mode, max_pages=3)
    assert error is None
    assert [spec.signature for spec in taken] == ["a", "b", "c"]


def test_max_pages_none_lifts_the_cap(server: ScriptedServer) -> None:
    server.api.respond_with(bounded(endless_runs))
    taken, error = runs(server, "sync", max_pages=None)
    # Nothing in the walk stops it: the server's request budget does.
    assert isinstance(error, errors.ServerError), error
    assert len(taken) == 2 * MAX_REQUESTS


def test_the_default_page_cap_is_documented_and_generous() -> None:
    for function in (list_project_runs.iterate, list_project_runs.aiterate):
        assert inspect.signature(function).parameters["max_pages"].default == types.DEFAULT_MAX_PAGES == 10_000
        assert "max_pages (int | None)" in (function.__doc__ or "")
        assert "Nothing loops" not in (function.__doc__ or "")


@pytest.mark.parametrize(
    ("max_pages", "expected"),
    [(0, ValueError), (-1, ValueError), (True, TypeError), ("3", TypeError), (2.5, TypeError)],
)
def test_a_wrong_max_pages_is_refused_before_any_request(
    server: ScriptedServer, max_pages: object, expected: type[Exception]
) -> None:
    with pytest.raises(expected, match="max_pages must be"):
        runs(server, "sync", max_pages=max_pages)
    assert server.api.received == []


def test_a_max_items_that_is_not_an_int_is_refused_before_any_request(server: ScriptedServer) -> None:
    with pytest.raises(TypeError, match="max_items must be an int or None, not str"):
        runs(server, "sync", max_items="3")
    assert server.api.received == []
