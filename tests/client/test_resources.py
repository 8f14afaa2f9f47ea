"""The operations beyond getInstance, called through the generated client on a loopback server: each fixture
decodes to its model and runner variant, query arrays go out in the API's exact styles, the new error statuses
raise their typed errors, and a POST is retried only when that is safe."""

from __future__ import annotations

import asyncio
import copy
import json
from typing import Any

import httpx
import pytest
from currents_api_client import AuthenticatedClient, errors, models
from currents_api_client.api.projects import get_project, list_projects
from currents_api_client.api.runs import (
    cancel_run,
    delete_run,
    find_run,
    get_run,
    list_project_runs,
    reset_run,
)
from currents_api_client.api.signature import get_test_signature
from currents_api_client.api.spec_files import list_spec_files
from currents_api_client.api.test_results import get_test_results
from currents_api_client.api.tests import list_tests

from kit.fixtures import OperationFixture, load_operation_fixtures
from tests.client.conftest import API_KEY, DroppingServer, ScriptedServer, Waits
from tests.client.new_operations import NEW_CALLS, NEW_SUCCESS_MODELS
from tests.client.scripted_api import Reply, failed
from tests.client.test_decode import same_json

DATES: dict[str, Any] = {"date_start": "2026-03-01", "date_end": "2026-03-31"}
SIGNATURE_BODY = models.TestSignatureRequest(project_id="Qx7Lm2", spec_file_path="a.spec.ts", test_title=["a", "b"])

# How to call each operation with the fewest arguments.
CALLS: dict[str, Any] = {
    "listProjects": lambda c: list_projects.sync(client=c),
    "getProject": lambda c: get_project.sync("Qx7Lm2", client=c),
    "listProjectRuns": lambda c: list_project_runs.sync("Qx7Lm2", client=c),
    "getRun": lambda c: get_run.sync("3f0a9c1d2e4b5a67", client=c),
    "findRun": lambda c: find_run.sync(client=c, project_id="Qx7Lm2"),
    "cancelRun": lambda c: cancel_run.sync("9a8b7c6d5e4f3a2b", client=c),
    "resetRun": lambda c: reset_run.sync("9a8b", client=c, body=models.RunResetRequest(machine_id=["m1"])),
    "deleteRun": lambda c: delete_run.sync("5c4d", client=c),
    "listSpecFiles": lambda c: list_spec_files.sync("Qx7Lm2", client=c, **DATES),
    "listTests": lambda c: list_tests.sync("Qx7Lm2", client=c, **DATES),
    "getTestResults": lambda c: get_test_results.sync("a298", client=c, **DATES),
    "getTestSignature": lambda c: get_test_signature.sync(client=c, body=SIGNATURE_BODY),
    **NEW_CALLS,
}
SUCCESS_MODELS: dict[str, type[Any]] = {
    "listProjects": models.ProjectListResponse,
    "getProject": models.ProjectResponse,
    "listProjectRuns": models.RunListResponse,
    "getRun": models.RunResponse,
    "findRun": models.RunResponse,
    "cancelRun": models.RunCancelResponse,
    "resetRun": models.RunResetResponse,
    "deleteRun": models.RunDeleteResponse,
    "listSpecFiles": models.SpecFileListResponse,
    "listTests": models.TestSummaryListResponse,
    "getTestResults": models.TestExecutionListResponse,
    "getTestSignature": models.TestSignatureResponse,
    **NEW_SUCCESS_MODELS,
}
ERRORS = {
    400: errors.BadRequestError,
    401: errors.AuthenticationError,
    402: errors.RequestFailedError,
    403: errors.PermissionDeniedError,
    404: errors.NotFoundError,
    409: errors.ConflictError,
    422: errors.UnprocessableEntityError,
    429: errors.RateLimitError,
    500: errors.ServerError,
}
FIXTURES = load_operation_fixtures()


def client_for(server: ScriptedServer, **settings: Any) -> AuthenticatedClient:
    return AuthenticatedClient(token=API_KEY, base_url=server.base_url, **{"max_retries": 0, **settings})


@pytest.mark.parametrize("fixture", [f for f in FIXTURES if f.status in (200, 201)], ids=lambda f: f.name)
def test_each_success_fixture_decodes_to_its_model_and_runner_variant(
    server: ScriptedServer, fixture: OperationFixture
) -> None:
    server.api.script(Reply(fixture.status, fixture.body))
    with client_for(server) as client:
        result: Any = CALLS[fixture.operation](client)
    assert isinstance(result, SUCCESS_MODELS[fixture.operation])
    if fixture.variant:
        assert type(result.data).__name__ == fixture.variant
    assert same_json(fixture.body, result.to_dict()) == []


@pytest.mark.parametrize("fixture", [f for f in FIXTURES if f.status >= 400], ids=lambda f: f.name)
def test_each_documented_error_body_raises_its_typed_error(server: ScriptedServer, fixture: OperationFixture) -> None:
    server.api.script(Reply(fixture.status, fixture.body))
    with client_for(server) as client, pytest.raises(ERRORS[fixture.status]) as caught:
        CALLS[fixture.operation](client)
    assert caught.value.error == fixture.body["error"]
    assert str(caught.value).startswith(f"{fixture.status} ")


def test_a_run_walk_from_spec_to_instance_id(server: ScriptedServer) -> None:
    fixture = next(f for f in FIXTURES if f.path.name == "get-playwright-in-progress.json")
    server.api.script(Reply(200, fixture.body))
    with client_for(server) as client:
        run = get_run.sync("3f0a9c1d2e4b5a67", client=client).data
    assert isinstance(run, models.PlaywrightRun) and isinstance(run.specs, list)
    unclaimed = run.specs[-1]
    assert unclaimed.claimed_at is None and unclaimed.completed_at is None and unclaimed.machine_id == ""
    assert [s.instance_id for s in run.specs] == ["pw7Hk2LmQa9Zx1Rt", "pw3Nc8VbTy6Ws2Ed", "pw5Qa1ZsXd4Cf6Vg"]


# Query arrays: bracketed names repeated where the docs use brackets, plain names repeated for status and
# completion_state. httpx percent-encodes the brackets, as the JavaScript URLSearchParams of Currents' own
# MCP server does: `tags%5B%5D=a` is `tags[]=a`.
def test_run_filters_go_out_in_the_documented_query_styles(server: ScriptedServer) -> None:
    server.api.script(Reply(200, {"status": "OK", "has_more": False, "data": []}))
    with client_for(server) as client:
        list_project_runs.sync(
            "Qx7Lm2",
            client=client,
            branches=["main", "dev"],
            tags=["a", "b"],
            authors=["Ada Park"],
            status=["PASSED", "FAILED"],
            completion_state=["COMPLETE", "TIMEOUT"],
            tag_operator="OR",
        )
    assert server.api.received[0].query == (
        "limit=10&branches%5B%5D=main&branches%5B%5D=dev&tags%5B%5D=a&tags%5B%5D=b&tag_operator=OR"
        "&authors%5B%5D=Ada+Park&status=PASSED&status=FAILED&completion_state=COMPLETE&completion_state=TIMEOUT"
    )


def test_deprecated_run_filters_go_out_unbracketed(server: ScriptedServer) -> None:
    server.api.script(Reply(200, {"status": "OK", "has_more": False, "data": []}))
    with client_for(server) as client:
        list_project_runs.sync("Qx7Lm2", client=client, limit=5, branch="main", tag=["a", "b"], author=["x"])
    assert server.api.received[0].query == "limit=5&branch=main&tag=a&tag=b&author=x"


def test_test_result_filters_go_out_bracketed(server: ScriptedServer) -> None:
    server.api.script(Reply(200, {"status": "OK", "has_more": False, "data": []}))
    with client_for(server) as client:
        get_test_results.sync("a298", client=client, **DATES, status=["failed", "passed"], groups=["g1"], flaky=True)
    assert server.api.received[0].query == (
        "date_start=2026-03-01&date_end=2026-03-31&limit=10&groups%5B%5D=g1"
        "&status%5B%5D=failed&status%5B%5D=passed&flaky=true"
    )


def test_find_run_sends_tags_bracketed(server: ScriptedServer) -> None:
    server.api.script(Reply(200, next(f for f in FIXTURES if f.operation == "findRun").body))
    with client_for(server) as client:
        find_run.sync(client=client, project_id="Qx7Lm2", branch="main", tags=["nightly", "e2e"], pw_last_run=True)
    assert server.api.received[0].query == (
        "projectId=Qx7Lm2&branch=main&tags%5B%5D=nightly&tags%5B%5D=e2e&pwLastRun=true"
    )


def test_reset_sends_the_machine_ids_as_json(server: ScriptedServer) -> None:
    server.api.script(Reply(200, {"status": "OK", "data": {}}))
    with client_for(server) as client:
        reset_run.sync(
            "9a8b", client=client, body=models.RunResetRequest(machine_id=["m1", "m2"], is_batched_or_8_n=True)
        )
    sent = server.api.received[0]
    assert (sent.method, sent.raw_path) == ("PUT", "/v1/runs/9a8b/reset")
    assert json.loads(sent.body) == {"machineId": ["m1", "m2"], "isBatchedOr8n": True}


SIGNATURE_OK = Reply(200, {"status": "OK", "data": {"signature": "a298"}})


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_post_is_retried_on_429(server: ScriptedServer, waits: Waits, mode: str) -> None:
    server.api.script(failed(429, "slow down"), SIGNATURE_OK)
    with client_for(server, max_retries=3) as client:
        if mode == "sync":
            result = get_test_signature.sync(client=client, body=SIGNATURE_BODY)
        else:
            result = asyncio.run(get_test_signature.asyncio(client=client, body=SIGNATURE_BODY))
    assert result.data.signature == "a298"
    assert len(server.api.received) == 2


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_post_is_not_retried_on_a_server_error_it_may_have_acted_on(
    server: ScriptedServer, waits: Waits, status: int
) -> None:
    server.api.script(failed(status, "oops"), SIGNATURE_OK)
    with client_for(server, max_retries=3) as client, pytest.raises(errors.ServerError):
        get_test_signature.sync(client=client, body=SIGNATURE_BODY)
    assert len(server.api.received) == 1


def test_put_and_delete_are_retried_like_get(server: ScriptedServer, waits: Waits) -> None:
    server.api.script(failed(503, "busy"), Reply(200, {"status": "OK", "data": {"runId": "r1"}}))
    with client_for(server, max_retries=3) as client:
        assert delete_run.sync("r1", client=client).data.run_id == "r1"
    server.api.script(failed(502, "busy"), Reply(200, {"status": "OK", "data": {"runId": "r1"}}))
    with client_for(server, max_retries=3) as client:
        assert cancel_run.sync("r1", client=client).data.run_id == "r1"
    assert len(server.api.received) == 2


def test_post_is_not_retried_when_the_connection_broke_after_sending(
    dropping_server: DroppingServer, waits: Waits
) -> None:
    with AuthenticatedClient(token=API_KEY, base_url=dropping_server.base_url, max_retries=3) as client:
        with pytest.raises(errors.APIConnectionError):
            get_test_signature.sync(client=client, body=SIGNATURE_BODY)
    # The retry layer never tried again (no wait); httpcore may open one more connection of its own when a
    # fresh one drops before the request is written, which is safe.
    assert waits.seconds == []
    assert 1 <= len(dropping_server.accepted) <= 2


def test_post_is_retried_when_the_connection_was_refused(unused_port_url: str, waits: Waits) -> None:
    attempts = []

    class Counting(httpx.HTTPTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            attempts.append(request.method)
            return super().handle_request(request)

    client = AuthenticatedClient(
        token=API_KEY, base_url=unused_port_url, max_retries=2, httpx_args={"transport": Counting()}
    )
    with client, pytest.raises(errors.APIConnectionError):
        get_test_signature.sync(client=client, body=SIGNATURE_BODY)
    assert attempts == ["POST", "POST", "POST"]


def test_a_cypress_run_that_also_names_its_framework_stays_a_cypress_run() -> None:
    body = copy.deepcopy(next(f for f in FIXTURES if f.variant == "CypressRun").body)
    body["data"]["meta"]["framework"] = {"type": "cypress", "version": "13.6.4"}
    assert isinstance(models.RunResponse.from_dict(body).data, models.CypressRun)


@pytest.mark.parametrize("runner", ["jest", "vitest", "postman", "node", "wdio", "a-runner-added-later"])
def test_any_framework_type_but_pw_decodes_as_other_framework_run(runner: str) -> None:
    body = copy.deepcopy(next(f for f in FIXTURES if f.variant == "PlaywrightRun").body)
    body["data"]["meta"]["framework"]["type"] = runner
    assert isinstance(models.RunResponse.from_dict(body).data, models.OtherFrameworkRun)


def test_a_run_of_no_runner_raises_one_error_saying_why_each_variant_refused_it() -> None:
    body = copy.deepcopy(next(f for f in FIXTURES if f.variant == "PlaywrightRun").body)
    del body["data"]["meta"]["framework"]
    with pytest.raises(errors.DecodeError) as caught:
        models.RunResponse.from_dict(body)
    message = str(caught.value)
    assert "CypressRun" in message and "PlaywrightRun" in message and "OtherFrameworkRun" in message


def test_new_status_values_decode_as_the_open_strings_they_are() -> None:
    body = copy.deepcopy(next(f for f in FIXTURES if f.variant == "PlaywrightRun").body)
    body["data"].update(status="QUEUED", completionState="ARCHIVED")
    run = models.RunResponse.from_dict(body).data
    assert (run.status, run.completion_state) == ("QUEUED", "ARCHIVED")


def test_next_page_false_and_zero_stay_apart() -> None:
    page = copy.deepcopy(
        next(f for f in FIXTURES if f.path.name == "list-last-page.json" and f.resource == "spec-files").body
    )
    assert models.SpecFileListResponse.from_dict(page).data.next_page is False
    page["data"]["nextPage"] = 0
    decoded = models.SpecFileListResponse.from_dict(page).data.next_page
    assert decoded == 0 and decoded is not False
