"""`sync_projects` against the real mock on loopback: what the store holds, what a second sync reads (counted in
the mock's journal), runs in progress read again until they finish, `--since`, 429s, unknown fields, GETs only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
from currents_api_client import AuthenticatedClient, iter_tests
from currents_api_client.api.instances import get_instance
from currents_api_client.api.tests import list_tests
from currents_api_client.lib.history.rows import key_of

from contract_tests.conftest import demo_key
from contract_tests.mock_api.app import MockApi
from contract_tests.mock_api.entities import World
from tests.history.support import (
    PROJECTS,
    Wrapper,
    add_run,
    instance_gets,
    mock_app,
    rows,
    serve,
    small_world,
    sync_into,
)

pytestmark = pytest.mark.slow  # the end-to-end tier: `make test-e2e`


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Wrapper, str, Path]]:
    """One mock for the tests that only read it, and a store of one sync of it."""
    wrapper = Wrapper(mock_app())
    with serve(wrapper) as url:
        path = tmp_path_factory.mktemp("one-store") / "history.duckdb"
        sync_into(path, url)
        yield wrapper, url, path


def query(path: Path, sql: str) -> list[tuple[Any, ...]]:
    connection = duckdb.connect(str(path), read_only=True)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


def in_progress(app: MockApi) -> set[str]:
    return {r.run_id for r in app.backend.world.runs.values() if r.completion_state == "IN_PROGRESS"}


def test_the_store_holds_every_listed_run_every_claimed_instance_and_every_record_iter_tests_gives(
    shared: tuple[Wrapper, str, Path],
) -> None:
    wrapper, url, path = shared
    world = wrapper.app.backend.world
    assert {r for (r,) in query(path, "SELECT run_id FROM runs")} == set(world.runs)
    specs = [s for run in world.runs.values() for s in run.body["specs"]]
    claimed = {s["instanceId"] for s in specs if s.get("claimedAt")}
    assert {i for (i,) in query(path, "SELECT instance_id FROM instances WHERE claimed")} == claimed
    assert {i for (i,) in query(path, "SELECT instance_id FROM instances")} == {s["instanceId"] for s in specs}
    expected = set()
    with AuthenticatedClient(base_url=url, token=demo_key()) as client:
        for instance_id in sorted(claimed):
            instance = get_instance.sync(instance_id, client=client).data
            expected |= {(r.instance_id, key_of(r), r.state, r.attempts, r.duration_ms) for r in iter_tests(instance)}
    stored = query(path, "SELECT instance_id, test_key, state, attempts, duration_ms FROM tests")
    assert len(stored) == len(expected) > 100
    assert set(stored) == expected
    branches = query(path, "SELECT count(*) FROM tests t JOIN runs r USING (run_id) WHERE t.branch = r.branch")
    assert branches == query(path, "SELECT count(*) FROM tests WHERE branch IS NOT NULL")
    done = query(path, "SELECT project_id FROM sync_state WHERE last_sync_finished_at IS NOT NULL ORDER BY 1")
    assert done == [(p,) for p in sorted(PROJECTS)]


def test_the_tests_explorer_numbers_are_stored_per_test(shared: tuple[Wrapper, str, Path]) -> None:
    wrapper, url, path = shared
    start = min(r.created_at for r in wrapper.app.backend.world.runs.values())
    with AuthenticatedClient(base_url=url, token=demo_key()) as client:
        for project_id in PROJECTS:
            listed = list_tests.iterate(project_id, client=client, date_start=start, date_end=dt.datetime.now(dt.UTC))
            expected = {(t.signature, t.metrics.executions, t.metrics.flakiness_rate) for t in listed}
            stored = query(
                path,
                f"SELECT signature, executions, flakiness_rate FROM explorer_tests WHERE project_id = '{project_id}'",
            )
            assert len(stored) == len(expected) > 0 and set(stored) == expected


def test_a_second_sync_reads_no_instance_of_a_finished_run_and_one_page_of_runs_per_project(
    shared: tuple[Wrapper, str, Path], tmp_path: Path
) -> None:
    wrapper, url, path = shared
    copy = tmp_path / "again.duckdb"
    copy.write_bytes(path.read_bytes())
    before = rows(copy)
    start = len(wrapper.app.journal.exchanges)
    summary = sync_into(copy, url)
    read = instance_gets(wrapper.app, start)
    world = wrapper.app.backend.world
    running = in_progress(wrapper.app)
    unfinished = {s["instanceId"] for r in running for s in world.runs[r].body["specs"] if s.get("claimedAt")} - {
        i for (i,) in query(copy, "SELECT instance_id FROM instances WHERE completed")
    }
    assert set(read) == unfinished and len(read) == len(unfinished)
    finished_runs = set(world.runs) - running
    assert not {world.instances[i].run_id for i in read} & finished_runs
    operations = [e.operation[1] for e in wrapper.app.journal.exchanges[start:]]
    assert operations.count("/v1/projects/{projectId}/runs") == len(PROJECTS)
    assert operations.count("/v1/runs/{runId}") == len(running)
    assert summary.added["runs"] == summary.added["instances"] == summary.added["tests"] == 0
    assert rows(copy) == before


def test_a_run_in_progress_is_read_again_until_it_finishes_and_then_never(tmp_path: Path) -> None:
    app = mock_app()
    path = tmp_path / "history.duckdb"
    with serve(Wrapper(app)) as url:
        sync_into(path, url)
        running = sorted(in_progress(app))
        assert running
        for run_id in running:  # the runs end (say they time out) without their unfinished instances
            app.backend.world.runs[run_id].body["completionState"] = "TIMEOUT"
        start = len(app.journal.exchanges)
        sync_into(path, url)
        reread = {app.backend.world.instances[i].run_id for i in instance_gets(app, start)}
        assert reread == set(running)
        assert query(path, "SELECT count(*) FROM runs WHERE NOT completed") == [(0,)]
        start = len(app.journal.exchanges)
        sync_into(path, url)
        assert instance_gets(app, start) == []
        assert [e for e in app.journal.exchanges[start:] if e.operation[1] == "/v1/runs/{runId}"] == []


def test_a_new_run_is_all_the_next_sync_reads_of_finished_runs(tmp_path: Path) -> None:
    world = small_world()
    app = mock_app(world)
    path = tmp_path / "history.duckdb"
    with serve(Wrapper(app)) as url:
        sync_into(path, url)
        newest = max(r.created_at for r in world.runs.values())
        run = add_run(world, PROJECTS[0], 5, newest + dt.timedelta(hours=1), "newrun0000000001")
        start = len(app.journal.exchanges)
        summary = sync_into(path, url)
        read = instance_gets(app, start)
        running = in_progress(app)
        assert set(run.claimed_ids) <= set(read)
        assert {world.instances[i].run_id for i in read} - {run.run_id} <= running
        assert (summary.added["runs"], summary.added["instances"]) == (1, 5)
        assert query(path, f"SELECT completed FROM runs WHERE run_id = '{run.run_id}'") == [(True,)]


def test_a_run_with_an_instance_that_cannot_be_read_is_left_out_and_read_again_by_the_next_sync(
    tmp_path: Path,
) -> None:
    world = small_world()
    app = mock_app(world)
    path = tmp_path / "history.duckdb"
    newest = max(r.created_at for r in world.runs.values())
    run = add_run(world, PROJECTS[0], 3, newest + dt.timedelta(hours=1), "gaprun0000000001", unclaimed=1, missing=1)
    with serve(Wrapper(app)) as url:
        summary = sync_into(path, url, [PROJECTS[0]])
        assert len(summary.failures) == 1
        assert summary.failures[0].startswith(f"instance {run.missing_ids[0]} of run {run.run_id}: ")
        assert query(path, f"SELECT count(*) FROM instances WHERE run_id = '{run.run_id}'") == [(0,)]
        assert query(path, f"SELECT count(*) FROM runs WHERE run_id = '{run.run_id}'") == [(0,)]
        assert query(path, "SELECT count(*) FROM runs") == [(len(world.runs) - 1 - len(world_runs_of(world, 1)),)]
        assert query(path, "SELECT newest_run_created_at IS NULL FROM sync_state") == [(True,)]
        specs = world.runs[run.run_id].body["specs"]
        world.runs[run.run_id].body["specs"] = [s for s in specs if s["instanceId"] not in run.missing_ids]
        assert sync_into(path, url, [PROJECTS[0]]).failures == []
    stored = query(path, f"SELECT claimed, count(*) FROM instances WHERE run_id = '{run.run_id}' GROUP BY 1 ORDER BY 1")
    assert stored == [(False, 1), (True, 3)]


def world_runs_of(world: World, index: int) -> list[str]:
    """The runs of the `index`-th project of PROJECTS."""
    return [r.run_id for r in world.runs.values() if r.project_id == PROJECTS[index]]


def test_since_leaves_older_runs_out_and_a_later_sync_without_it_fetches_them(tmp_path: Path) -> None:
    app = mock_app()
    path = tmp_path / "history.duckdb"
    created = sorted(r.created_at for r in app.backend.world.runs.values())
    since = created[len(created) // 2]
    with serve(Wrapper(app)) as url:
        sync_into(path, url, since=since)
        kept = {r for (r,) in query(path, "SELECT run_id FROM runs")}
        assert kept == {r.run_id for r in app.backend.world.runs.values() if r.created_at >= since}
        assert 0 < len(kept) < len(created)
        sync_into(path, url)
        assert {r for (r,) in query(path, "SELECT run_id FROM runs")} == set(app.backend.world.runs)


def test_429s_are_retried_and_the_store_ends_as_without_them(shared: tuple[Wrapper, str, Path], tmp_path: Path) -> None:
    wrapper = Wrapper(mock_app(), rate_limit_every=4)
    path = tmp_path / "limited.duckdb"
    with serve(wrapper) as url:
        summary = sync_into(path, url)
    assert summary.failures == [] and wrapper.rate_limited > 5
    assert rows(path) == rows(shared[2])


def test_fields_the_api_adds_later_break_nothing(shared: tuple[Wrapper, str, Path], tmp_path: Path) -> None:
    wrapper = Wrapper(mock_app(), add_fields=True)
    path = tmp_path / "new-fields.duckdb"
    with serve(wrapper) as url:
        summary = sync_into(path, url)
    assert summary.failures == [] and summary.notes == []
    assert rows(path) == rows(shared[2])


def test_a_sync_sends_get_requests_only(shared: tuple[Wrapper, str, Path]) -> None:
    wrapper, _, _ = shared
    assert wrapper.app.journal.writes() == []
    assert set(wrapper.methods) == {"GET"} and len(wrapper.methods) > 50
