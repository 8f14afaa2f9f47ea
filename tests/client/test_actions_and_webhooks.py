"""The Actions, Webhooks, Insights, Errors Explorer and cancel-by-CI models: every request fixture decodes to its
request model and encodes back unchanged, the rule-action union decodes to one class per `op`, a condition or
status a newer server adds still decodes and round-trips, a request condition's type decides its operators,
both timeline shapes decode, and the query arrays go out in the API's styles. Success answers are decoded by
test_resources.py."""

from __future__ import annotations

import json
from typing import Any

import pytest
from currents_api_client import AuthenticatedClient, errors, models
from currents_api_client.api.actions import get_action, list_actions
from currents_api_client.api.errors_explorer import get_errors_explorer
from currents_api_client.api.runs import cancel_run_by_github_ci
from currents_api_client.api.webhooks import get_webhook

from kit import bundle
from kit.fixtures import load_operation_fixtures
from scripts.spec.payload_fixtures import PayloadFixture, load_broken_fixtures, load_request_fixtures
from scripts.spec.schema_validation import component_validator
from tests.client.conftest import API_KEY, ScriptedServer
from tests.client.new_operations import HOOK_ID
from tests.client.scripted_api import Reply
from tests.client.test_decode import same_json

REQUEST_MODELS: dict[str, type[Any]] = {
    "createAction": models.CreateActionRequest,
    "updateAction": models.UpdateActionRequest,
    "createWebhook": models.CreateWebhookRequest,
    "updateWebhook": models.UpdateWebhookRequest,
    "cancelRunByGithubCI": models.CancelRunByGithubCIRequest,
}
RESPONSES = {f.name: f.body for f in load_operation_fixtures()}


def client_for(server: ScriptedServer) -> AuthenticatedClient:
    return AuthenticatedClient(token=API_KEY, base_url=server.base_url, max_retries=0)


@pytest.mark.parametrize("fixture", load_request_fixtures(), ids=lambda f: f.name)
def test_each_request_fixture_decodes_to_its_model_and_encodes_back_unchanged(fixture: PayloadFixture) -> None:
    decoded = REQUEST_MODELS[fixture.operation].from_dict(fixture.body)
    assert same_json(fixture.body, decoded.to_dict()) == []


def test_every_operation_with_a_json_body_has_request_fixtures() -> None:
    assert {f.operation for f in load_request_fixtures()} == set(REQUEST_MODELS)


def test_the_rule_action_union_decodes_to_one_class_per_op() -> None:
    body = RESPONSES["actions/list"]
    decoded = models.ActionListResponse.from_dict(body)
    assert [type(a.action[0]) for a in decoded.data] == [
        models.RuleActionQuarantine,
        models.RuleActionTag,
        models.RuleActionSkip,
    ]
    tag = decoded.data[1].action[0]
    assert isinstance(tag, models.RuleActionTag) and tag.details.tags == ["flaky", "needs-investigation"]


def test_a_condition_type_operator_and_status_from_a_newer_server_decode_and_round_trip() -> None:
    body = RESPONSES["actions/list-newer-server"]
    decoded = models.ActionListResponse.from_dict(body)
    action = decoded.data[0]
    assert action.status == "paused"
    assert [(c.type_, c.op) for c in action.matcher.cond] == [
        ("browser", "matches"),
        ("annotation", "notIncAll"),
        ("tag", "any"),
    ]
    assert action.matcher.cond[2].value is None
    assert same_json(body, decoded.to_dict()) == []
    hooks_body = RESPONSES["webhooks/list-newer-server"]
    hooks = models.WebhookListResponse.from_dict(hooks_body)
    assert hooks.data[0].hook_events == ["RUN_START", "RUN_QUEUED"]
    assert same_json(hooks_body, hooks.to_dict()) == []


def test_a_request_condition_takes_the_operators_of_its_type() -> None:
    # The variants type each pairing for the type checker (ScalarCondition's `op` has no `inc`), and the spec
    # refuses a pairing the API refuses. Decoding stays open, like every enum of the client, so a decoded
    # condition is the first variant; building one picks the variant.
    built = models.RuleMatcherInput(
        op="OR",
        cond=[
            models.ListCondition(type_="tag", op="incAll", value=["a", "b"]),
            models.ScalarCondition(type_="title", op="in", value=["flaky"]),
        ],
    )
    assert built.to_dict() == {
        "op": "OR",
        "cond": [
            {"type": "tag", "op": "incAll", "value": ["a", "b"]},
            {"type": "title", "op": "in", "value": ["flaky"]},
        ],
    }
    validator = component_validator(bundle.bundle(), "RuleConditionInput")
    accepted = [
        {"type": t, "op": "incAll", "value": ["a"]} for t in ("error_message", "titlePath", "annotation", "tag")
    ]
    refused = [{"type": t, "op": "inc", "value": "a"} for t in ("testId", "title", "file", "git_branch", "project")]
    assert all(validator.is_valid(c) for c in accepted)
    assert not any(validator.is_valid(c) for c in refused)


@pytest.mark.parametrize("attempt", [2, "2"], ids=["number", "string"])
def test_the_github_run_attempt_goes_out_as_given(server: ScriptedServer, attempt: int | str) -> None:
    server.api.script(Reply(200, RESPONSES["runs/cancel-by-ci"]))
    body = models.CancelRunByGithubCIRequest(github_run_id="8123456789", github_run_attempt=attempt)
    with client_for(server) as client:
        result = cancel_run_by_github_ci.sync(client=client, body=body)
    assert isinstance(result, models.RunCancelByCIResponse) and result.data.cancelled is True
    assert json.loads(server.api.received[0].body) == {"githubRunId": "8123456789", "githubRunAttempt": attempt}


def test_both_timeline_shapes_decode_to_the_same_metrics() -> None:
    as_list = RESPONSES["project-insights/get-list-timeline"]
    keyed = RESPONSES["project-insights/get-keyed-timeline"]
    results = [models.ProjectInsightsResponse.from_dict(body).data.results for body in (as_list, keyed)]
    assert isinstance(results[0], models.InsightsResults) and isinstance(results[1], models.InsightsResults)
    listed, mapped = results[0].timeline, results[1].timeline
    assert isinstance(listed, list) and isinstance(mapped, models.InsightsBuckets)
    from_list = [next(iter(b.additional_properties.values())) for b in listed]
    from_map = list(mapped.additional_properties.values())
    assert [m.to_dict() for m in from_list] == [m.to_dict() for m in from_map]
    assert all(isinstance(m, models.InsightsMetrics) and isinstance(m.tests, models.TestMetrics) for m in from_list)
    assert [m.tests.flaky for m in from_list if isinstance(m.tests, models.TestMetrics)] == [4, 2]


@pytest.mark.parametrize(
    "fixture",
    # Not get-events-as-text: the client does not check the items of a list of strings as it decodes.
    [
        f
        for f in load_broken_fixtures()
        if f.status is not None and f.operation in {"getAction", "getWebhook"} and f.path.stem != "get-events-as-text"
    ],
    ids=lambda f: f.name,
)
def test_a_broken_answer_raises_invalid_response(server: ScriptedServer, fixture: PayloadFixture) -> None:
    server.api.script(Reply(200, fixture.body))
    with client_for(server) as client, pytest.raises(errors.InvalidResponseError):
        if fixture.operation == "getAction":
            get_action.sync("act_6f1c2b9e0d", client=client)
        else:
            get_webhook.sync(HOOK_ID, client=client)


def test_action_and_error_filters_go_out_in_the_documented_query_styles(server: ScriptedServer) -> None:
    server.api.script(
        Reply(200, {"status": "OK", "data": []}),
        Reply(200, {"status": "OK", "data": {"list": [], "total": 0, "nextPage": False}}),
    )
    with client_for(server) as client:
        list_actions.sync(client=client, project_id="GtO78i", status=["active", "disabled"], search="flaky")
        get_errors_explorer.sync(
            "GtO78i", client=client, date_start="2026-03-01", date_end="2026-03-31", group_by=["action", "target"]
        )
    assert server.api.received[0].query == "projectId=GtO78i&status=active&status=disabled&search=flaky"
    assert "group_by%5B%5D=action&group_by%5B%5D=target" in server.api.received[1].query


def test_webhook_headers_which_carry_secrets_stay_out_of_every_models_repr() -> None:
    """The spec marks `headers` `x-currents-secret`; the model template leaves such a field out of the repr, in
    the answer and in both request bodies, while the value itself stays readable and round-trips."""
    secret = '{"x-hook-secret": "s3cr3t-value-1234"}'
    answer = models.Webhook.from_dict(
        {"hookId": str(HOOK_ID), "projectId": "GtO78i", "url": "https://hooks.example.com/x", "headers": secret}
    )
    created = models.CreateWebhookRequest(url="https://hooks.example.com/x", headers=secret)
    updated = models.UpdateWebhookRequest(headers=secret)
    for model in (answer, created, updated):
        assert model.headers == secret and model.to_dict()["headers"] == secret
        assert "s3cr3t" not in repr(model) and "headers" not in repr(model), repr(model)
    assert "url=" in repr(created)  # the other fields are still shown
