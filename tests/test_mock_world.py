"""The stateful mock over HTTP: one coherent world, pagination and filters as documented, state, key scopes.

Every response is checked by `tests.mock_support.check_response`: never a 5xx, and a body valid against the
spec for its operation and status. Tests that change state get a mock of their own.

Over 400 lines on purpose: one world's story told over HTTP (listings, filters, pagination, state changes, key
scopes), each test a few requests against the same seeded world; split, the story would be told twice.
"""

from __future__ import annotations

import collections
import datetime as dt
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from contract_tests.mock_api.app import MockApi, create_app
from contract_tests.mock_api.entities import parse_iso, runner_of
from contract_tests.mock_api.seed import build_world
from tests.mock_support import DEMO_KEY, LIMITED_KEY, READ_ONLY_KEY, checked_client

EVERY_DATE = {"date_start": "2020-01-01", "date_end": "2030-12-31"}


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[httpx.Client, MockApi]]:
    with checked_client() as pair:
        yield pair


@pytest.fixture(scope="module")
def client(served: tuple[httpx.Client, MockApi]) -> httpx.Client:
    return served[0]


@pytest.fixture
def fresh() -> Iterator[httpx.Client]:
    """A mock of this test's own, for tests that change state."""
    with checked_client() as (client, _):
        yield client


def walk(client: httpx.Client, path: str, **params: Any) -> list[dict[str, Any]]:
    """Every item of a cursor listing, following `starting_after` until `has_more` is false."""
    items: list[dict[str, Any]] = []
    while True:
        page = client.get(path, params=params).json()
        items += page["data"]
        if not page["has_more"]:
            return items
        params["starting_after"] = page["data"][-1]["cursor"]


def all_runs(client: httpx.Client) -> list[dict[str, Any]]:
    projects = walk(client, "/projects", limit=100)
    return [run for p in projects for run in walk(client, f"/projects/{p['projectId']}/runs", limit=50)]


# One coherent world


def test_the_world_has_projects_runs_and_every_state_over_branches_tags_authors_and_dates(client: httpx.Client) -> None:
    runs = all_runs(client)
    assert len({r["projectId"] for r in runs}) >= 3
    assert len(runs) >= 40
    assert {"COMPLETE", "IN_PROGRESS", "CANCELED", "TIMEOUT"} <= {r["completionState"] for r in runs}
    assert {"PASSED", "FAILED", "RUNNING", "FAILING"} <= {r["status"] for r in runs}
    assert len({r["meta"]["commit"]["branch"] for r in runs}) >= 3
    assert len({r["meta"]["commit"]["authorName"] for r in runs}) >= 3
    assert len({t for r in runs for t in r["tags"]}) >= 3
    months = {r["createdAt"][:7] for r in runs}
    assert len(months) >= 6
    runners = collections.Counter(
        r["meta"].get("framework", {}).get("type", "cypress") if "cypressVersion" not in r else "cypress" for r in runs
    )
    assert {"cypress", "pw"} <= set(runners)


def test_every_spec_of_every_run_resolves_to_an_instance_of_the_same_runner(client: httpx.Client) -> None:
    for listed in all_runs(client):
        run = client.get(f"/runs/{listed['runId']}").json()["data"]
        cypress_run = "cypressVersion" in run
        for spec in run["specs"]:
            instance = client.get(f"/instances/{spec['instanceId']}").json()["data"]
            assert instance["runId"] == run["runId"] and instance["projectId"] == run["projectId"]
            assert instance["spec"] == spec["spec"]
            assert (runner_of(instance) == "cypress") == cypress_run, (run["runId"], spec["instanceId"])
            if not cypress_run:
                assert runner_of(instance) == run["meta"]["framework"]["type"]


def test_group_progress_equals_what_the_groups_instances_hold(client: httpx.Client) -> None:
    for listed in all_runs(client):
        run = client.get(f"/runs/{listed['runId']}").json()["data"]
        for group in run["groups"]:
            specs = [s for s in run["specs"] if s["groupId"] == group["groupId"]]
            instances = [client.get(f"/instances/{s['instanceId']}").json()["data"] for s in specs]
            reported = [i for i in instances if i.get("results")]
            finished = [i for i in reported if i.get("completedAt", "absent") is not None]
            stats = [i["results"]["stats"] for i in reported]
            assert group["instances"]["overall"] == len(specs)
            assert group["instances"]["claimed"] == sum(1 for s in specs if s["machineId"])
            assert group["instances"]["complete"] == len(finished)
            assert group["instances"]["failures"] == sum(1 for i in finished if i["results"]["stats"]["failures"] > 0)
            assert group["tests"]["tests"] == sum(s["tests"] for s in stats)
            assert group["tests"]["passes"] == sum(s["passes"] for s in stats)
            assert group["tests"]["failures"] == sum(s["failures"] for s in stats)


def test_the_world_is_the_same_on_every_start() -> None:
    first, second = build_world(), build_world()
    assert {k: r.body for k, r in first.runs.items()} == {k: r.body for k, r in second.runs.items()}
    assert {k: i.body for k, i in first.instances.items()} == {k: i.body for k, i in second.instances.items()}


def test_signature_reproduces_the_signature_of_every_test_result(client: httpx.Client) -> None:
    tests = client.get("/tests/Prj7Qa", params={**EVERY_DATE, "limit": 50}).json()["data"]["list"]
    assert tests
    for test in tests[:10]:
        results = client.get(f"/test-results/{test['signature']}", params=EVERY_DATE).json()["data"]
        assert results, test
        for result in results:
            body = {"projectId": result["projectId"], "specFilePath": result["spec"], "testTitle": result["title"]}
            answer = client.post("/signature/test", json=body).json()
            assert answer["data"]["signature"] == result["signature"] == test["signature"]
            joined = {**body, "testTitle": " > ".join(result["title"])}
            assert client.post("/signature/test", json=joined).json()["data"]["signature"] == result["signature"]


# Pagination


def test_cursor_pages_walk_every_run_once_newest_first_and_back(client: httpx.Client) -> None:
    everything = client.get("/projects/Prj7Qa/runs", params={"limit": 50}).json()
    assert not everything["has_more"]
    ids = [r["runId"] for r in everything["data"]]
    created = [parse_iso(r["createdAt"]) for r in everything["data"]]
    assert created == sorted(created, reverse=True)
    forward = walk(client, "/projects/Prj7Qa/runs", limit=3)
    assert [r["runId"] for r in forward] == ids
    backward: list[dict[str, Any]] = []
    params: dict[str, Any] = {"limit": 4, "ending_before": forward[-1]["cursor"]}
    while True:
        page = client.get("/projects/Prj7Qa/runs", params=params).json()
        backward += page["data"]
        if not page["has_more"]:
            break
        params["ending_before"] = page["data"][-1]["cursor"]
    assert [r["runId"] for r in backward] == list(reversed(ids[:-1]))


def test_starting_after_and_ending_before_match_the_docs_example(client: httpx.Client) -> None:
    ids = [r["runId"] for r in client.get("/projects/Prj7Qa/runs", params={"limit": 50}).json()["data"]]
    runs = client.get("/projects/Prj7Qa/runs", params={"limit": 50}).json()["data"]
    pointer = runs[3]["cursor"]
    after = client.get("/projects/Prj7Qa/runs", params={"limit": 3, "starting_after": pointer}).json()
    assert [r["runId"] for r in after["data"]] == ids[4:7]
    before = client.get("/projects/Prj7Qa/runs", params={"limit": 3, "ending_before": pointer}).json()
    assert [r["runId"] for r in before["data"]] == [ids[2], ids[1], ids[0]]
    assert before["has_more"] is False and after["has_more"] is True


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/projects/Prj7Qa/runs", {"starting_after": "CURSOR", "ending_before": "CURSOR"}),
        ("/projects/Prj7Qa/runs", {"limit": "0"}),
        ("/projects/Prj7Qa/runs", {"limit": "51"}),
        ("/projects/Prj7Qa/runs", {"limit": "ten"}),
        ("/projects/Prj7Qa/runs", {"starting_after": "000000000000000000000000"}),
        ("/projects/Prj7Qa/runs", {"date_start": "2026-13-01"}),
        ("/projects/Prj7Qa/runs", {"date_end": "yesterday"}),
        ("/projects", {"limit": "101"}),
        ("/spec-files/Prj7Qa", {"date_start": "2020-01-01"}),
        ("/tests/Prj7Qa", {**EVERY_DATE, "limit": "51"}),
        ("/tests/Prj7Qa", {**EVERY_DATE, "page": "-1"}),
    ],
    ids=[
        "both-cursors",
        "limit-0",
        "limit-51",
        "limit-text",
        "unknown-cursor",
        "bad-date",
        "bad-date-end",
        "projects-limit-101",
        "no-date-end",
        "offset-limit-51",
        "negative-page",
    ],
)
def test_bad_listing_parameters_are_400_failed(client: httpx.Client, path: str, params: dict[str, str]) -> None:
    if params.get("starting_after") == "CURSOR":
        cursor = client.get(path).json()["data"][0]["cursor"]
        params = {"starting_after": cursor, "ending_before": cursor}
    response = client.get(path, params=params)
    assert response.status_code == 400
    assert response.json()["status"] == "FAILED"


def test_limits_are_bounded_per_resource(client: httpx.Client) -> None:
    assert client.get("/projects", params={"limit": 100}).status_code == 200
    signature = client.get("/tests/Prj7Qa", params=EVERY_DATE).json()["data"]["list"][0]["signature"]
    ok = client.get(f"/test-results/{signature}", params={**EVERY_DATE, "limit": 100})
    assert ok.status_code == 200
    assert client.get(f"/test-results/{signature}", params={**EVERY_DATE, "limit": 101}).status_code == 400


@pytest.mark.parametrize("resource", ["spec-files", "tests"])
def offset_walk(client: httpx.Client, path: str, limit: int) -> tuple[list[dict[str, Any]], int]:
    items: list[dict[str, Any]] = []
    page: int | bool = 0
    total = -1
    while page is not False:
        data = client.get(path, params={**EVERY_DATE, "limit": limit, "page": page}).json()["data"]
        assert total in (-1, data["total"])
        total = data["total"]
        assert isinstance(page, int) and len(data["list"]) == min(limit, total - page * limit)
        items += data["list"]
        page = data["nextPage"]
    return items, total


@pytest.mark.parametrize("resource", ["spec-files", "tests"])
def test_offset_pages_follow_page_times_limit_and_end_with_next_page_false(client: httpx.Client, resource: str) -> None:
    path = f"/{resource}/Prj7Qa"
    whole, total = offset_walk(client, path, 50)
    assert len(whole) == total > 4
    assert offset_walk(client, path, 3) == (whole, total)
    middle = client.get(path, params={**EVERY_DATE, "limit": 3, "page": 1}).json()["data"]
    assert middle["list"] == whole[3:6] and middle["nextPage"] == 2
    beyond = client.get(path, params={**EVERY_DATE, "limit": 3, "page": 999}).json()["data"]
    assert beyond["list"] == [] and beyond["nextPage"] is False


# Filters


def expected(runs: list[dict[str, Any]], keep: Any) -> list[str]:
    return [r["runId"] for r in runs if keep(r)]


@pytest.mark.parametrize("project", ["Prj7Qa", "Prj9Zb"])
def test_each_run_filter_returns_exactly_the_matching_runs(client: httpx.Client, project: str) -> None:
    path = f"/projects/{project}/runs"
    runs = client.get(path, params={"limit": 50}).json()["data"]
    branch = runs[1]["meta"]["commit"]["branch"]
    author = runs[2]["meta"]["commit"]["authorName"]
    tags = sorted({t for r in runs for t in r["tags"]})[:2]
    start, end = "2026-01-01", "2026-02-28"

    def listed(params: Any) -> list[str]:
        return [r["runId"] for r in client.get(path, params={"limit": 50, **params}).json()["data"]]

    def commit(r: dict[str, Any]) -> dict[str, Any]:
        return dict(r["meta"]["commit"])

    assert listed({"branches[]": branch}) == expected(runs, lambda r: commit(r)["branch"] == branch)
    assert listed({"branch": branch}) == expected(runs, lambda r: commit(r)["branch"] == branch)
    assert listed({"authors[]": author}) == expected(runs, lambda r: commit(r)["authorName"] == author)
    assert listed({"tags[]": tags}) == expected(runs, lambda r: bool(set(tags) & set(r["tags"])))
    assert listed({"tags[]": tags, "tag_operator": "AND"}) == expected(runs, lambda r: set(tags) <= set(r["tags"]))
    assert listed({"status": "PASSED"}) == expected(runs, lambda r: r["status"] == "PASSED")
    assert listed({"status": "FAILED"}) == expected(runs, lambda r: r["status"] == "FAILED")
    both = {"COMPLETE", "CANCELED"}
    assert listed({"completion_state": sorted(both)}) == expected(runs, lambda r: r["completionState"] in both)
    in_range = expected(runs, lambda r: start <= r["createdAt"][:10] <= end)
    assert listed({"date_start": start, "date_end": end}) == in_range
    word = commit(runs[0])["message"].split()[0][:4].upper()
    fields = ("branch", "message", "authorName")

    def found(r: dict[str, Any]) -> bool:
        texts = (r["runId"], r["meta"]["ciBuildId"], *(commit(r)[k] for k in fields))
        return any(word.lower() in str(text).lower() for text in texts)

    assert listed({"search": word}) == expected(runs, found)
    prs = [r for r in runs if "ghaEventData" in commit(r)]
    assert prs
    number = commit(prs[0])["ghaEventData"]["htmlUrl"].rsplit("/", 1)[-1]
    same_pr = expected(prs, lambda r: commit(r)["ghaEventData"]["htmlUrl"].endswith(f"/pull/{number}"))
    assert listed({"pr_id": number}) == same_pr


def test_a_search_over_200_characters_and_an_unknown_tag_operator_are_400(client: httpx.Client) -> None:
    assert client.get("/projects/Prj7Qa/runs", params={"search": "x" * 201}).status_code == 400
    assert client.get("/projects/Prj7Qa/runs", params={"tag_operator": "XOR"}).status_code == 400


def test_find_returns_the_most_recent_completed_run(client: httpx.Client) -> None:
    runs = client.get("/projects/Prj7Qa/runs", params={"limit": 50}).json()["data"]
    complete = [r for r in runs if r["completionState"] == "COMPLETE"]
    found = client.get("/runs/find", params={"projectId": "Prj7Qa"}).json()["data"]
    assert found["runId"] == complete[0]["runId"]
    build = complete[3]["meta"]["ciBuildId"]
    found = client.get("/runs/find", params={"projectId": "Prj7Qa", "ciBuildId": build}).json()["data"]
    assert found["runId"] == complete[3]["runId"]
    assert client.get("/runs/find", params={"projectId": "Prj7Qa", "ciBuildId": "none"}).status_code == 404
    assert client.get("/runs/find").status_code == 400


# State


def test_cancel_sets_canceled_with_a_cancellation_and_a_second_cancel_is_422(fresh: httpx.Client) -> None:
    run = next(r for r in all_runs(fresh) if r["completionState"] == "IN_PROGRESS")
    answer = fresh.put(f"/runs/{run['runId']}/cancel")
    assert answer.status_code == 200 and answer.json()["data"]["runId"] == run["runId"]
    after = fresh.get(f"/runs/{run['runId']}").json()["data"]
    assert after["completionState"] == "CANCELED"
    assert after["cancellation"]["canceledAt"] == answer.json()["data"]["canceledAt"]
    again = fresh.put(f"/runs/{run['runId']}/cancel")
    assert (again.status_code, again.json()["error"]) == (422, "Run already cancelled")


@pytest.mark.parametrize(
    "body",
    [{"machineId": []}, {"machineId": [f"m{n}" for n in range(64)]}, {"machineId": "m1"}, {}, [], {"machineId": [1]}],
    ids=["none", "64", "not-a-list", "missing", "not-an-object", "not-strings"],
)
def test_reset_refuses_a_body_outside_1_to_63_machine_ids(client: httpx.Client, body: Any) -> None:
    run = client.get("/projects/Prj7Qa/runs").json()["data"][0]
    response = client.put(f"/runs/{run['runId']}/reset", json=body)
    assert response.status_code == 400


def test_reset_hands_the_machines_specs_back_and_the_counts_follow(fresh: httpx.Client) -> None:
    run = next(r for r in all_runs(fresh) if r["completionState"] == "COMPLETE")
    detail = fresh.get(f"/runs/{run['runId']}").json()["data"]
    machine = detail["specs"][0]["machineId"]
    assert fresh.put(f"/runs/{run['runId']}/reset", json={"machineId": [machine]}).status_code == 200
    after = fresh.get(f"/runs/{run['runId']}").json()["data"]
    assert after["completionState"] == "IN_PROGRESS"
    reset = [s for s in after["specs"] if s["machineId"] == ""]
    assert reset and all(s["completedAt"] is None for s in reset)
    assert sum(g["instances"]["complete"] for g in after["groups"]) == len(after["specs"]) - len(reset)


def test_a_deleted_run_answers_404_and_leaves_every_listing(fresh: httpx.Client) -> None:
    run = fresh.get("/projects/Prj9Zb/runs").json()["data"][0]
    detail = fresh.get(f"/runs/{run['runId']}").json()["data"]
    answer = fresh.delete(f"/runs/{run['runId']}")
    assert answer.json()["data"]["runId"] == run["runId"]
    for method, path in [("GET", ""), ("DELETE", ""), ("PUT", "/cancel")]:
        assert fresh.request(method, f"/runs/{run['runId']}{path}").status_code == 404
    assert run["runId"] not in [r["runId"] for r in walk(fresh, "/projects/Prj9Zb/runs")]
    assert fresh.get(f"/instances/{detail['specs'][0]['instanceId']}").status_code == 404


def test_state_lives_in_the_process_and_a_new_mock_starts_over() -> None:
    with checked_client() as (first, _):
        run_id = first.get("/projects/Prj7Qa/runs").json()["data"][0]["runId"]
        assert first.delete(f"/runs/{run_id}").status_code == 200
    with checked_client() as (second, _):
        assert second.get(f"/runs/{run_id}").status_code == 200


# Key scopes


WRITES = [("PUT", "/cancel", None), ("PUT", "/reset", {"machineId": ["m"]}), ("DELETE", "", None)]


@pytest.mark.parametrize(("method", "suffix", "body"), WRITES, ids=["cancel", "reset", "delete"])
def test_a_read_only_key_gets_403_on_every_write(served: Any, method: str, suffix: str, body: Any) -> None:
    client, _ = served
    run_id = client.get("/projects/Prj7Qa/runs").json()["data"][0]["runId"]
    headers = {"Authorization": f"Bearer {READ_ONLY_KEY}"}
    response = client.request(method, f"/runs/{run_id}{suffix}", json=body, headers=headers)
    assert response.status_code == 403
    assert client.get(f"/runs/{run_id}", headers=headers).status_code == 200


def test_a_key_scoped_to_other_projects_gets_403_on_their_resources(client: httpx.Client) -> None:
    headers = {"Authorization": f"Bearer {LIMITED_KEY}"}
    other = client.get("/projects/Prj9Zb/runs").json()["data"][0]
    detail = client.get(f"/runs/{other['runId']}").json()["data"]
    for method, path in [
        ("GET", "/projects/Prj9Zb"),
        ("GET", "/projects/Prj9Zb/runs"),
        ("GET", f"/runs/{other['runId']}"),
        ("PUT", f"/runs/{other['runId']}/cancel"),
        ("DELETE", f"/runs/{other['runId']}"),
        ("GET", f"/instances/{detail['specs'][0]['instanceId']}"),
        ("GET", f"/spec-files/Prj9Zb?date_start={EVERY_DATE['date_start']}&date_end={EVERY_DATE['date_end']}"),
    ]:
        assert client.request(method, path, headers=headers).status_code == 403, path
    own = client.get("/projects", headers=headers).json()["data"]
    assert [p["projectId"] for p in own] == ["Prj7Qa"]
    assert client.get("/projects/Prj7Qa/runs", headers=headers).status_code == 200


def test_keys_differ_and_the_demo_key_may_write() -> None:
    assert len({DEMO_KEY, LIMITED_KEY, READ_ONLY_KEY}) == 3
    app = create_app()
    assert app.backend.world.runs and not app.journal.faults


def test_dates_in_listings_are_utc_iso_8601(client: httpx.Client) -> None:
    for run in client.get("/projects/Prj7Qa/runs").json()["data"]:
        assert parse_iso(run["createdAt"]).tzinfo == dt.UTC


# The guarantees of every route: authentication first, 405 with Allow, ids from the raw path

ROUTES = {
    "/projects": "GET",
    "/projects/Prj7Qa": "GET",
    "/projects/Prj7Qa/runs": "GET",
    "/runs/find": "GET",
    "/runs/RUN": "GET, DELETE",
    "/runs/RUN/cancel": "PUT",
    "/runs/RUN/reset": "PUT",
    "/spec-files/Prj7Qa": "GET",
    "/tests/Prj7Qa": "GET",
    "/test-results/abc": "GET",
    "/signature/test": "POST",
    "/instances/abc": "GET",
}


@pytest.mark.parametrize("path", list(ROUTES))
def test_every_route_authenticates_before_anything_else(client: httpx.Client, path: str) -> None:
    for method in ("GET", "PUT", "DELETE", "POST", "HEAD", "BREW"):
        response = client.request(method, path, headers={"Authorization": "Bearer not-a-key"})
        assert response.status_code == 401, (method, path)


@pytest.mark.parametrize("path", list(ROUTES))
def test_every_route_answers_undeclared_methods_with_405_and_allow(client: httpx.Client, path: str) -> None:
    declared = ROUTES[path]
    for method in ("GET", "HEAD", "OPTIONS", "TRACE", "POST", "PUT", "PATCH", "DELETE", "QUERY"):
        if method in declared.split(", "):
            continue
        response = client.request(method, path)
        assert response.status_code == 405, (method, path)
        assert response.headers["allow"] == declared


def test_an_encoded_slash_stays_inside_a_run_id(fresh: httpx.Client) -> None:
    run_id = fresh.get("/projects/Prj7Qa/runs").json()["data"][0]["runId"]
    inside = fresh.request("GET", "/", extensions={"target": f"/v1/runs/{run_id}%2Fcancel".encode()})
    assert (inside.status_code, inside.json()["error"]) == (404, "Run not found")
    encoded = "".join(f"%{b:02X}" for b in run_id.encode())
    routed = fresh.request("PUT", "/", extensions={"target": f"/v1/%72uns/{encoded}/cancel".encode()})
    assert routed.status_code == 200 and routed.json()["data"]["runId"] == run_id
    assert fresh.get("/runs/a/b/c").json()["error"] == "Not found"
