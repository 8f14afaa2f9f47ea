"""The reader's types (scripts/spec/reader_types.py, scripts/spec/runners.py): response models read `X | None`,
`to_dict` gives back every fixture and example as received, request bodies keep `Unset`, query parameters take
`None` and date-times, and every instance and run says its `.runner`."""

from __future__ import annotations

import copy
import datetime
import json
import typing
from pathlib import Path
from typing import Any

import attrs
import httpx
import pytest
from currents_api_client import AuthenticatedClient, api, errors, models, types
from currents_api_client.api.runs import list_project_runs
from currents_api_client.api.tests import list_tests

from kit.fixtures import Fixture, OperationFixture, load_fixtures, load_operation_fixtures
from tests.client.test_decode import same_json
from tests.client.test_resources import SUCCESS_MODELS

EXAMPLES = Path(__file__).parents[2] / "openapi" / "examples"
EXAMPLE_MODELS: dict[str, type[Any]] = {
    "cypress-instance": models.InstanceResponse,
    "playwright-instance": models.InstanceResponse,
    "cypress-run": models.RunResponse,
    "playwright-run": models.RunResponse,
    "error-401": models.ErrorResponse,
    "error-403": models.ErrorResponse,
    "error-404": models.ErrorResponse,
    "project": models.ProjectResponse,
    "project-list": models.ProjectListResponse,
    "run-list": models.RunListResponse,
    "spec-file-list": models.SpecFileListResponse,
    "test-execution-list": models.TestExecutionListResponse,
    "test-summary-list": models.TestSummaryListResponse,
    "action": models.ActionResponse,
    "action-disabled": models.ActionResponse,
    "action-list": models.ActionListResponse,
    "errors-explorer": models.ErrorsExplorerResponse,
    "project-insights": models.ProjectInsightsResponse,
    "project-insights-keyed": models.ProjectInsightsResponse,
    "webhook": models.WebhookResponse,
    "webhook-list": models.WebhookListResponse,
    "webhook-run-start": models.RunStartEvent,
    "webhook-run-finish": models.RunFinishEvent,
    "webhook-run-timeout": models.RunTimeoutEvent,
    "webhook-run-canceled": models.RunCanceledEvent,
}
OPERATION_FIXTURES = load_operation_fixtures()
RUNNERS = {"cypress", "playwright", "jest", "vitest", "postman", "node", "wdio"}


def operation_functions() -> list[Any]:
    import importlib
    import pkgutil

    found = []
    for tag in pkgutil.iter_modules(api.__path__):
        package = importlib.import_module(f"{api.__name__}.{tag.name}")
        for module in pkgutil.iter_modules(package.__path__):
            found.append(importlib.import_module(f"{package.__name__}.{module.name}"))
    return found


def model_classes(annotation: Any) -> set[type[Any]]:
    """The generated model classes an annotation names, however deeply (unions, lists, dicts)."""
    if isinstance(annotation, type) and attrs.has(annotation):
        return {annotation}
    return {c for argument in typing.get_args(annotation) for c in model_classes(argument)}


def reachable(start: set[type[Any]]) -> set[type[Any]]:
    seen: set[type[Any]] = set()
    stack = list(start)
    while stack:
        cls = stack.pop()
        if cls in seen:
            continue
        seen.add(cls)
        stack.extend(c for hint in typing.get_type_hints(cls).values() for c in model_classes(hint))
    return seen


def responses_and_requests() -> tuple[set[type[Any]], set[type[Any]]]:
    responses: set[type[Any]] = set()
    requests: set[type[Any]] = set()
    for module in operation_functions():
        responses |= model_classes(typing.get_type_hints(module._parse_response)["return"])
        hints = typing.get_type_hints(module.sync_detailed)
        requests |= {c for name, hint in hints.items() if name not in ("client", "return") for c in model_classes(hint)}
    return reachable(responses), reachable(requests)


def test_no_field_of_a_response_only_model_carries_unset() -> None:
    responses, requests = responses_and_requests()
    response_only = responses - requests
    assert {models.CypressInstance, models.Commit, models.Platform, models.RunCancellation} <= response_only
    carrying = [
        f"{cls.__name__}.{name}: {hint}"
        for cls in sorted(response_only, key=lambda c: c.__name__)
        for name, hint in typing.get_type_hints(cls).items()
        if "Unset" in str(hint)
    ]
    assert carrying == []


def test_a_request_body_keeps_unset_for_leave_unchanged() -> None:
    _, requests = responses_and_requests()
    assert models.RunResetRequest in requests
    assert typing.get_type_hints(models.RunResetRequest)["is_batched_or_8_n"] == bool | types.Unset
    assert models.RunResetRequest(machine_id=["m1"]).to_dict() == {"machineId": ["m1"]}
    assert models.RunResetRequest(machine_id=["m1"], is_batched_or_8_n=False).to_dict() == {
        "machineId": ["m1"],
        "isBatchedOr8n": False,
    }


def example_body(name: str) -> Any:
    return json.loads((EXAMPLES / f"{name}.json").read_text())["value"]


def test_every_example_of_the_spec_has_its_model_here() -> None:
    assert sorted(path.stem for path in EXAMPLES.glob("*.json")) == sorted(EXAMPLE_MODELS)


@pytest.mark.parametrize("name", sorted(EXAMPLE_MODELS))
def test_every_example_round_trips_through_from_dict_and_to_dict(name: str) -> None:
    body = example_body(name)
    assert same_json(body, EXAMPLE_MODELS[name].from_dict(copy.deepcopy(body)).to_dict()) == []


@pytest.mark.parametrize("fixture", load_fixtures(), ids=lambda f: f.name)
def test_every_instance_fixture_round_trips_and_says_its_runner(fixture: Fixture) -> None:
    decoded = models.InstanceResponse.from_dict(copy.deepcopy(fixture.body))
    assert same_json(fixture.body, decoded.to_dict()) == []
    framework = fixture.body["data"].get("framework") or {}
    expected = "cypress" if "cypressVersion" in fixture.body["data"] else framework["type"].replace("pw", "playwright")
    assert decoded.data.runner == expected
    assert decoded.data.runner in RUNNERS


@pytest.mark.parametrize("fixture", OPERATION_FIXTURES, ids=lambda f: f.name)
def test_every_operation_fixture_round_trips(fixture: OperationFixture) -> None:
    model = SUCCESS_MODELS[fixture.operation] if fixture.status < 300 else models.ErrorResponse
    assert same_json(fixture.body, model.from_dict(copy.deepcopy(fixture.body)).to_dict()) == []


def test_a_framework_shaped_cypress_instance_is_other_framework_but_its_runner_is_cypress() -> None:
    (fixture,) = [f for f in load_fixtures() if f.name == "cypress-framework-type-without-cypress-version"]
    instance = models.InstanceResponse.from_dict(fixture.body).data
    assert "cypressVersion" not in fixture.body["data"]
    assert isinstance(instance, models.OtherFrameworkInstance)
    assert instance.runner == "cypress"


RUN_FIXTURES = [f for f in OPERATION_FIXTURES if f.variant and f.status == 200]


@pytest.mark.parametrize("fixture", RUN_FIXTURES, ids=lambda f: f.name)
def test_every_run_fixture_says_its_runner(fixture: OperationFixture) -> None:
    run = models.RunResponse.from_dict(fixture.body).data
    data = fixture.body["data"]
    expected = "cypress" if "cypressVersion" in data else data["meta"]["framework"]["type"].replace("pw", "playwright")
    assert run.runner == expected


@pytest.mark.parametrize(
    "fixture",
    [f for f in OPERATION_FIXTURES if f.operation == "listProjectRuns" and f.status == 200],
    ids=lambda f: f.name,
)
def test_every_listed_run_says_its_runner(fixture: OperationFixture) -> None:
    for raw, item in zip(fixture.body["data"], models.RunListResponse.from_dict(fixture.body).data, strict=True):
        framework = (raw.get("meta") or {}).get("framework") or {}
        expected = "cypress" if "cypressVersion" in raw else framework["type"].replace("pw", "playwright")
        assert item.runner == expected


def cypress_run() -> dict[str, Any]:
    (fixture,) = [f for f in OPERATION_FIXTURES if f.name.endswith("get-cypress-complete-passed")]
    return copy.deepcopy(fixture.body["data"])


def test_a_framework_shaped_cypress_run_is_other_framework_but_its_runner_is_cypress() -> None:
    data = cypress_run()
    del data["cypressVersion"]
    data["meta"]["framework"] = {"type": "cypress", "version": "14.3.2", "clientVersion": "2.0.0-beta.3"}
    run = models.RunResponse.from_dict({"status": "OK", "data": data}).data
    assert isinstance(run, models.OtherFrameworkRun)
    assert run.runner == "cypress"


def test_a_listed_run_of_no_known_runner_says_unknown_and_another_runner_its_own_name() -> None:
    item = {"runId": "r", "projectId": "p", "createdAt": "2026-01-01T00:00:00Z", "status": "PASSED"}
    item |= {"completionState": "COMPLETE", "cursor": "c"}
    assert models.RunListItem.from_dict(item).runner == "unknown"
    assert models.RunListItem.from_dict(item | {"meta": {"framework": {"type": "testcafe"}}}).runner == "testcafe"
    assert models.RunListItem.from_dict(item | {"cypressVersion": "13.0.0"}).runner == "cypress"


def test_absent_and_null_both_read_none_and_to_dict_keeps_them_apart() -> None:
    payload = {"sha": "abc", "branch": None, "extra": 1}
    commit = models.Commit.from_dict(payload)
    assert (commit.branch, commit.message, commit.sha) == (None, None, "abc")
    assert commit.to_dict() == payload
    assert "message" not in commit.to_dict()


def test_a_field_set_after_decoding_goes_out_and_one_cleared_goes_out_as_it_came() -> None:
    commit = models.Commit.from_dict({"branch": None, "message": "m"})
    commit.sha, commit.branch, commit.message = "abc", "main", None
    assert commit.to_dict() == {"sha": "abc", "branch": "main"}
    assert models.Commit(branch="main").to_dict() == {"branch": "main"}


def test_an_optional_object_the_spec_does_not_make_nullable_still_refuses_null() -> None:
    data = cypress_run()
    data["meta"] = None
    with pytest.raises(errors.DecodeError, match="meta: may not be null"):
        models.CypressRun.from_dict(data)


def test_nulls_are_not_part_of_equality_or_repr() -> None:
    with_null, absent = models.Platform.from_dict({"osName": None}), models.Platform.from_dict({})
    assert with_null == absent
    assert repr(with_null) == repr(absent)
    assert with_null.to_dict() == {"osName": None} and absent.to_dict() == {}


def sent_query(call: Any) -> httpx.QueryParams:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(500, json={"status": "FAILED", "error": "stop"})

    with AuthenticatedClient(
        token="test-key-12345678",
        base_url="http://127.0.0.1:9/v1",
        max_retries=0,
        httpx_args={"transport": httpx.MockTransport(handler)},
    ) as client:
        with pytest.raises(errors.ServerError):
            call(client)
    return seen[0].url.params


def test_query_parameters_take_none_for_not_given() -> None:
    params = sent_query(lambda c: list_project_runs.sync("p", client=c, limit=None, search=None, branches=None))
    assert list(params.keys()) == []


def test_date_time_query_parameters_take_a_datetime_or_a_string() -> None:
    start = datetime.datetime(2026, 3, 1, 8, 30, tzinfo=datetime.UTC)
    params = sent_query(lambda c: list_tests.sync("p", client=c, date_start=start, date_end="2026-03-31"))
    assert (params["date_start"], params["date_end"]) == ("2026-03-01T08:30:00+00:00", "2026-03-31")
    params = sent_query(lambda c: list_project_runs.sync("p", client=c, date_start=start))
    assert params["date_start"] == "2026-03-01T08:30:00+00:00"
    assert typing.get_type_hints(list_tests.sync)["date_start"] == datetime.datetime | str
