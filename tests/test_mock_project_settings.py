"""The mock's Actions, Webhooks, Insights, Errors Explorer and cancel by GitHub CI, over real HTTP on loopback.

Every answer is checked against the spec by `checked_client`. Actions and webhooks are state of the one
world, per project, behind the key scopes; bodies the reference refuses are 400s naming the field (the
broken request fixtures drive that); insights and errors agree with the runs and tests views of the same
world; cancel by CI finds seeded runs by GitHub run id and attempt, the attempt as a number or a string.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from contract_tests.mock_api import settings_seed
from scripts.spec.payload_fixtures import PayloadFixture, load_broken_fixtures, load_request_fixtures
from tests.mock_support import LIMITED_KEY, READ_ONLY_KEY, checked_client

PROJECT = "Prj7Qa"
OTHER_PROJECT = "Prj9Zb"
PERIOD = {"date_start": "2025-01-01", "date_end": "2026-12-31"}
QUARANTINE = {
    "name": "Quarantine flaky login",
    "action": [{"op": "quarantine"}],
    "matcher": {"op": "AND", "cond": [{"type": "title", "op": "eq", "value": "logs in"}]},
}
HOOK = {"url": "https://hooks.example.com/a", "headers": '{"Authorization": "Bearer s3cret"}', "hookEvents": []}
SENDS = {
    "createAction": ("POST", "/actions?projectId=" + PROJECT),
    "updateAction": ("PUT", "/actions/{id}"),
    "createWebhook": ("POST", "/webhooks?projectId=" + PROJECT),
    "updateWebhook": ("PUT", "/webhooks/{id}"),
    "cancelRunByGithubCI": ("PUT", "/runs/cancel-ci/github"),
}


def data(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()["data"]


def seeded_action(project: str) -> str:
    return settings_seed.action_id(project, 0)


def seeded_hook(project: str) -> str:
    return settings_seed.hook_id(project, 0)


def test_an_action_walks_its_life_cycle_and_the_listing_follows() -> None:
    with checked_client() as (client, _):
        created = data(client.post("/actions", params={"projectId": PROJECT}, json=QUARANTINE), 201)
        action_id = created["actionId"]
        assert created["status"] == "active" and created["createdBy"] == "api:demo"
        assert data(client.get(f"/actions/{action_id}")) == created
        updated = data(client.put(f"/actions/{action_id}", json={"name": "Renamed", "description": "why"}))
        assert (updated["name"], updated["description"], updated["matcher"]) == ("Renamed", "why", created["matcher"])
        assert data(client.put(f"/actions/{action_id}/disable"))["status"] == "disabled"
        listed = data(client.get("/actions", params={"projectId": PROJECT, "status": "disabled"}))
        assert action_id in [a["actionId"] for a in listed]
        enabled = data(client.put(f"/actions/{action_id}/enable"))
        assert (enabled["status"], enabled["disabledAt"]) == ("active", None)
        assert data(client.delete(f"/actions/{action_id}")) == {"actionId": action_id, "archived": True}
        archived = data(client.get(f"/actions/{action_id}"))
        assert archived["status"] == "archived" and archived["archivedBy"] == "api:demo"
        refused = client.put(f"/actions/{action_id}/enable")
        assert refused.status_code == 400 and refused.json()["error"].startswith("status:")
        active = data(client.get("/actions", params={"projectId": PROJECT, "status": "active"}))
        assert action_id not in [a["actionId"] for a in active]
        searched = data(client.get("/actions", params={"projectId": PROJECT, "search": "RENAMED"}))
        assert [a["actionId"] for a in searched] == [action_id]


def test_an_action_reads_expired_once_its_expiry_has_passed_and_active_again_with_a_later_one() -> None:
    with checked_client() as (client, _):
        body = {**QUARANTINE, "expiresAfter": "2020-01-01T00:00:00Z"}
        created = data(client.post("/actions", params={"projectId": PROJECT}, json=body), 201)
        assert created["status"] == "expired"
        later = data(client.put(f"/actions/{created['actionId']}", json={"expiresAfter": "2999-01-01T00:00:00Z"}))
        assert later["status"] == "active"
        seeded = data(client.get(f"/actions/{settings_seed.action_id(PROJECT, 2)}"))
        assert seeded["status"] == "expired"


def test_a_webhook_is_created_updated_and_deleted_then_answers_404() -> None:
    with checked_client() as (client, _):
        hook = data(client.post("/webhooks", params={"projectId": PROJECT}, json=HOOK), 201)
        hook_id = hook["hookId"]
        assert (hook["projectId"], hook["headers"], hook["hookEvents"]) == (PROJECT, HOOK["headers"], [])
        assert data(client.get(f"/webhooks/{hook_id.upper()}")) == hook
        updated = data(client.put(f"/webhooks/{hook_id}", json={"hookEvents": ["RUN_START"], "label": "CI"}))
        assert (updated["hookEvents"], updated["label"], updated["url"]) == (["RUN_START"], "CI", HOOK["url"])
        listed = data(client.get("/webhooks", params={"projectId": PROJECT}))
        assert updated in listed and seeded_hook(PROJECT) in [h["hookId"] for h in listed]
        assert data(client.delete(f"/webhooks/{hook_id}")) == {"hookId": hook_id, "projectId": PROJECT}
        assert client.get(f"/webhooks/{hook_id}").status_code == 404
        assert hook_id not in [h["hookId"] for h in data(client.get("/webhooks", params={"projectId": PROJECT}))]


def test_the_read_only_key_reads_but_every_write_is_403() -> None:
    action, hook = seeded_action(PROJECT), seeded_hook(PROJECT)
    writes = [
        ("POST", f"/actions?projectId={PROJECT}", QUARANTINE),
        ("PUT", f"/actions/{action}", {"name": "x"}),
        ("PUT", f"/actions/{action}/enable", None),
        ("PUT", f"/actions/{action}/disable", None),
        ("DELETE", f"/actions/{action}", None),
        ("POST", f"/webhooks?projectId={PROJECT}", HOOK),
        ("PUT", f"/webhooks/{hook}", {"label": "x"}),
        ("DELETE", f"/webhooks/{hook}", None),
        ("PUT", "/runs/cancel-ci/github", {"githubRunId": "8123456789", "githubRunAttempt": 1}),
    ]
    with checked_client(key=READ_ONLY_KEY) as (client, app):
        before = (dict(app.backend.world.actions), dict(app.backend.world.webhooks))
        for method, url, body in writes:
            answer = client.request(method, url, json=body)
            assert answer.status_code == 403, (method, url, answer.text)
        assert data(client.get(f"/actions/{action}"))["actionId"] == action
        assert data(client.get(f"/webhooks/{hook}"))["hookId"] == hook
        assert (dict(app.backend.world.actions), dict(app.backend.world.webhooks)) == before


def test_the_limited_key_reaches_only_its_projects_settings() -> None:
    with checked_client(key=LIMITED_KEY) as (client, _):
        assert data(client.get("/actions", params={"projectId": PROJECT}))
        assert client.get("/actions", params={"projectId": OTHER_PROJECT}).status_code == 403
        assert client.get("/webhooks", params={"projectId": OTHER_PROJECT}).status_code == 403
        assert client.get(f"/actions/{seeded_action(OTHER_PROJECT)}").status_code == 403
        assert client.put(f"/webhooks/{seeded_hook(OTHER_PROJECT)}", json={"label": "x"}).status_code == 403
        assert client.post("/actions", params={"projectId": OTHER_PROJECT}, json=QUARANTINE).status_code == 403
        assert client.get("/actions", params={"projectId": "nope"}).status_code == 404
        assert client.get("/actions").status_code == 400


def send(client: httpx.Client, fixture: PayloadFixture) -> httpx.Response:
    method, url = SENDS[fixture.operation]
    if "{id}" in url:
        target = seeded_action(PROJECT) if "actions" in url else seeded_hook(PROJECT)
        url = url.replace("{id}", target)
    return client.request(method, url, json=fixture.body)


@pytest.mark.parametrize("fixture", [f for f in load_broken_fixtures() if f.status is None], ids=lambda f: f.name)
def test_a_body_the_reference_refuses_is_a_400_naming_its_field(fixture: PayloadFixture) -> None:
    with checked_client() as (client, _):
        answer = send(client, fixture)
    assert answer.status_code == 400, answer.text
    field = str(fixture.refused_at)[2:]
    message = answer.json()["error"]
    assert message.startswith(f"{field}") if field else message.split(":")[0] in {"body", "name", "url", "githubRunId"}
    assert "s3cret" not in message


@pytest.mark.parametrize("fixture", load_request_fixtures(), ids=lambda f: f.name)
def test_a_body_the_reference_takes_is_accepted(fixture: PayloadFixture) -> None:
    with checked_client() as (client, _):
        answer = send(client, fixture)
    # The cancel-by-CI fixtures name a GitHub run the world does not hold: 404, past the body's checks.
    expected = {"createAction": 201, "createWebhook": 201, "cancelRunByGithubCI": 404}.get(fixture.operation, 200)
    assert answer.status_code == expected, answer.text


def test_webhook_headers_must_be_a_json_object_of_strings() -> None:
    with checked_client() as (client, _):
        for headers in ("not json", "[1]", '{"X": 1}'):
            answer = client.post("/webhooks", params={"projectId": PROJECT}, json={**HOOK, "headers": headers})
            assert answer.status_code == 400 and answer.json()["error"].startswith("headers:")


def all_pages(client: httpx.Client, url: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    page: int | bool = 0
    while page is not False:
        body = data(client.get(url, params={**params, "page": page, "limit": 50}))
        items += body["list"]
        page = body["nextPage"]
        assert len(items) < 10_000
    return items


def test_insights_agree_with_the_runs_and_tests_of_the_same_world() -> None:
    with checked_client() as (client, _):
        insights = data(client.get(f"/projects/{PROJECT}/insights", params={**PERIOD, "resolution": "1w"}))
        runs: list[dict[str, Any]] = []
        params: dict[str, Any] = {"limit": 50}
        while True:
            body = client.get(f"/projects/{PROJECT}/runs", params=params).json()
            runs += body["data"]
            if not body["has_more"]:
                break
            params["starting_after"] = body["data"][-1]["cursor"]
        tests = all_pages(client, f"/tests/{PROJECT}", PERIOD)
    overall = insights["results"]["overall"]
    assert overall["runs"]["total"] == len(runs) > 0
    assert overall["runs"]["cancelled"] == sum(1 for r in runs if r["completionState"] == "CANCELED")
    assert overall["tests"]["total"] == sum(t["metrics"]["executions"] for t in tests) > 0
    assert overall["tests"]["flaky"] == sum(t["metrics"]["flaky"] for t in tests) > 0
    buckets = insights["results"]["timeline"]
    assert all(len(b) == 1 for b in buckets)
    assert sum(next(iter(b.values()))["runs"]["total"] for b in buckets) == len(runs)
    assert sum(next(iter(b.values()))["tests"]["flaky"] for b in buckets) == overall["tests"]["flaky"]


def test_the_errors_explorer_counts_the_failed_executions_and_groups_as_asked() -> None:
    with checked_client() as (client, _):
        errors = all_pages(client, f"/errors/{PROJECT}", PERIOD)
        by_action = all_pages(client, f"/errors/{PROJECT}", {**PERIOD, "group_by[]": "action"})
        tests = all_pages(client, f"/tests/{PROJECT}", PERIOD)
        first = data(client.get(f"/errors/{PROJECT}", params={**PERIOD, "limit": 1, "top_n": 1}))
        bad = client.get(f"/errors/{PROJECT}", params={**PERIOD, "group_by[]": "browser"})
    assert errors and sum(e["count"] for e in errors) <= sum(
        t["metrics"]["failures"] + t["metrics"]["flaky"] for t in tests
    )
    assert [e["count"] for e in errors] == sorted((e["count"] for e in errors), reverse=True)
    assert by_action and all(e["error_action"] is not None and e["message"] is None for e in by_action)
    assert sum(e["count"] for e in by_action) <= sum(e["count"] for e in errors)
    assert first["nextPage"] == (1 if len(errors) > 1 else False) and first["total"] == len(errors)
    assert all(len(b["items"]) <= 1 for b in first["timeline"])
    assert sum(b["count"] for b in first["timeline"]) == sum(e["count"] for e in errors)
    assert bad.status_code == 400 and bad.json()["error"].startswith("group_by[]:")


def test_cancel_by_ci_cancels_the_run_of_a_github_run_attempt_once() -> None:
    with checked_client() as (client, app):
        run_id = app.backend.world.github_runs[(settings_seed.EXAMPLE_GITHUB_RUN_ID, 1)]
        body = {"githubRunId": settings_seed.EXAMPLE_GITHUB_RUN_ID, "githubRunAttempt": 1}
        cancelled = data(client.put("/runs/cancel-ci/github", json=body))
        assert (cancelled["runId"], cancelled["cancelled"]) == (run_id, True)
        assert data(client.get(f"/runs/{run_id}"))["completionState"] == "CANCELED"
        again = client.put("/runs/cancel-ci/github", json={**body, "githubRunAttempt": "1"})
        assert again.status_code == 422 and again.json()["error"] == "Run is cancelled"
        unknown = client.put("/runs/cancel-ci/github", json={**body, "githubRunAttempt": 9})
        assert unknown.status_code == 404


@pytest.mark.parametrize("attempt", [2, "2", 2.0], ids=["number", "string", "number-written-2.0"])
def test_cancel_by_ci_takes_the_attempt_as_a_number_or_a_string_of_digits(attempt: int | str) -> None:
    with checked_client() as (client, app):
        run_id = app.backend.world.github_runs[(settings_seed.EXAMPLE_GITHUB_RUN_ID, 2)]
        run = app.backend.world.runs[run_id]
        body = {"githubRunId": settings_seed.EXAMPLE_GITHUB_RUN_ID, "githubRunAttempt": attempt}
        wrong_project = client.put("/runs/cancel-ci/github", json={**body, "projectId": "nope"})
        wrong_build = client.put("/runs/cancel-ci/github", json={**body, "ciBuildId": "nope"})
        assert (wrong_project.status_code, wrong_build.status_code) == (404, 404)
        scoped = {**body, "projectId": run.project_id, "ciBuildId": run.body["meta"]["ciBuildId"]}
        assert data(client.put("/runs/cancel-ci/github", json=scoped))["runId"] == run_id


@pytest.mark.parametrize("attempt", [0, "0", "01", "1st", 1.5, True, None, "", "-1", " 1"])
def test_cancel_by_ci_refuses_an_attempt_that_is_not_a_positive_integer(attempt: Any) -> None:
    with checked_client() as (client, _):
        answer = client.put("/runs/cancel-ci/github", json={"githubRunId": "1", "githubRunAttempt": attempt})
    assert answer.status_code == 400 and answer.json()["error"].startswith("githubRunAttempt:")
