"""The drift fetch is planned from the spec: its reads, its life cycles through the links, the writes it leaves
to the objects it made, and the generated client's function for each operation."""

from __future__ import annotations

import json
from typing import Any

from kit._cli import ROOT
from scripts.contract.discovery import Ids
from scripts.contract.drift import Documents, inspect_response
from scripts.contract.fetch import client_call, client_modules
from scripts.contract.plan import ID_PARAMETERS, Call, life_cycle, plan
from scripts.contract.registry import operations
from scripts.contract.settings import REDACTED, scrub_secret_fields

GENERATED = json.loads((ROOT / "generated" / "openapi.json").read_text(encoding="utf-8"))


class FakeTarget:
    def __init__(self, ids: Ids, allow_writes: bool, mode: str = "mock", write_project: str | None = None) -> None:
        self.ids, self.allow_writes, self.mode, self.write_project = ids, allow_writes, mode, write_project


def answer(status: str = "200", **links: dict[str, Any]) -> dict[str, Any]:
    return {status: {"description": "ok", "links": links} if links else {"description": "ok"}}


def link(operation_id: str, parameter: str) -> dict[str, Any]:
    return {"operationId": operation_id, "parameters": {parameter: f"$response.body#/data/{parameter}"}}


def gadgets(soft_deleted: bool) -> dict[str, Any]:
    """A made-up resource with a create, a get, an update and a delete linked as the spec links actions."""
    by_id = [{"name": "gadgetId", "in": "path", "required": True, "schema": {"type": "string"}}]
    delete: dict[str, Any] = {"operationId": "dropGadget", "parameters": by_id, "responses": {}}
    delete["responses"] = answer(Again=link("readGadget", "gadgetId"))
    if soft_deleted:
        delete["x-currents-contract"] = {"soft-deleted": True}
    return {
        "paths": {
            "/gadgets": {
                "post": {
                    "operationId": "makeGadget",
                    "responses": answer(
                        "201", Read=link("readGadget", "gadgetId"), Drop=link("dropGadget", "gadgetId")
                    ),
                },
                "get": {"operationId": "listGadgets", "responses": answer()},
            },
            "/gadgets/{gadgetId}": {
                "get": {
                    "operationId": "readGadget",
                    "parameters": by_id,
                    "responses": answer(Change=link("changeGadget", "gadgetId")),
                },
                "put": {
                    "operationId": "changeGadget",
                    "parameters": by_id,
                    "responses": answer(Drop=link("dropGadget", "gadgetId")),
                },
                "delete": delete,
            },
        }
    }


def test_a_life_cycle_walks_the_links_from_the_create_writes_before_the_delete_and_reads_after_a_soft_one() -> None:
    soft = [step[0] for step in life_cycle(gadgets(soft_deleted=True), "makeGadget")]
    assert soft == ["readGadget", "changeGadget", "dropGadget", "readGadget"]
    hard = [step[0] for step in life_cycle(gadgets(soft_deleted=False), "makeGadget")]
    assert hard == ["readGadget", "changeGadget", "dropGadget"]  # a deleted object no longer reads
    assert life_cycle(gadgets(True), "makeGadget")[0] == ("readGadget", "makeGadget", {"gadgetId": "/data/gadgetId"})


def test_the_spec_s_action_and_webhook_life_cycles_are_the_ones_the_checks_walk() -> None:
    assert [s[0] for s in life_cycle(GENERATED, "createAction")] == [
        "getAction",
        "updateAction",
        "disableAction",
        "enableAction",
        "deleteAction",
        "getAction",
    ]
    assert [s[0] for s in life_cycle(GENERATED, "createWebhook")] == ["getWebhook", "updateWebhook", "deleteWebhook"]


def test_a_new_read_operation_is_planned_with_no_edit_of_the_pipeline() -> None:
    document = gadgets(soft_deleted=True)
    target = FakeTarget(Ids(projects=["p1"]), allow_writes=False)
    calls, problems = plan(document, target)
    assert [(c.operation_id, c.subject) for c in calls] == [("listGadgets", "/gadgets")]
    assert problems == ["readGadget: cannot be called: no value for its required parameter 'gadgetId'"]
    document["paths"]["/gadgets/{gadgetId}"]["get"]["parameters"][0]["example"] = "g1"  # the spec's example id
    calls, problems = plan(document, target)
    assert problems == []
    assert [(c.operation_id, c.arguments) for c in calls][1] == ("readGadget", {"gadgetId": "g1"})


def test_every_discovered_id_kind_is_read_within_its_limit() -> None:
    ids = Ids(projects=["p1", "p2", "p3", "p4"], runs=[f"r{n}" for n in range(8)], instances=["i1"])
    calls, problems = plan(GENERATED, FakeTarget(ids, allow_writes=False))
    assert problems == []
    runs = [c.subject for c in calls if c.operation_id == "getRun"]
    assert runs == ids.runs[:6]
    assert [c.subject for c in calls if c.operation_id == "getProject"] == ["p1", "p2", "p3"]
    assert next(c.arguments for c in calls if c.operation_id == "findRun") == {"projectId": "p1"}
    insights = next(c for c in calls if c.operation_id == "getProjectInsights")
    assert set(insights.arguments) == {"projectId", "date_start", "date_end"}
    assert not any(c.method != "get" and c.operation_id != "getTestSignature" for c in calls)  # read-only


def test_writes_reach_only_discovered_runs_and_the_objects_the_fetch_created() -> None:
    ids = Ids(projects=["p1"], runs=["r1", "r2"], actions=["someone-elses"], webhooks=["someone-elses-hook"])
    calls, _ = plan(GENERATED, FakeTarget(ids, allow_writes=True))
    writes = [c for c in calls if c.method != "get" and c.operation_id != "getTestSignature"]
    on_runs = [(c.operation_id, c.subject) for c in writes if c.arguments.get("runId")]
    assert on_runs == [("resetRun", "r2"), ("cancelRun", "r2"), ("deleteRun", "r2")]  # the cancel, then the delete last
    for call in writes:
        assert "someone-elses" not in json.dumps(call.arguments)
        if call.subject == "created":
            assert call.after is not None and call.from_answer  # its id comes from what the create answered
    created = [c for c in writes if c.operation_id in ("createAction", "createWebhook")]
    assert [c.expected for c in created] == [201, 201]


def test_live_cancel_by_ci_names_no_workflow_run_and_expects_404() -> None:
    ids = Ids(projects=["p1"])
    calls, _ = plan(GENERATED, FakeTarget(ids, allow_writes=True, mode="live", write_project="p1"))
    cancel = next(c for c in calls if c.operation_id == "cancelRunByGithubCI")
    assert cancel.body == {"githubRunId": "0", "githubRunAttempt": 1, "projectId": "p1"}
    assert cancel.expected == 404


def test_every_operation_of_the_spec_has_its_function_in_the_generated_client() -> None:
    modules = client_modules()
    for _, _, operation in operations(GENERATED):
        module = modules[operation["operationId"].lower()]  # cancelRunByGithubCI: cancel_run_by_github_ci
        assert module.__name__.rsplit(".", 1)[-1].replace("_", "") == operation["operationId"].lower()


def test_a_call_is_sent_with_the_generated_function_and_the_spec_s_parameter_names() -> None:
    import httpx
    from currents_api_client import AuthenticatedClient

    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(404, json={"status": "FAILED", "message": "Project not found"})

    client = AuthenticatedClient(base_url="http://127.0.0.1:9/v1", token="contract-test-key")
    client.set_httpx_client(httpx.Client(base_url="http://127.0.0.1:9/v1", transport=httpx.MockTransport(handler)))
    call = Call("getProjectInsights", "p1", "get", {"projectId": "p1", "date_start": "2026-01-01", "date_end": "2026"})
    response = client_call(call, client)
    assert response.status_code == 404
    assert seen[0].url.path == "/v1/projects/p1/insights"
    assert dict(seen[0].url.params) == {"date_start": "2026-01-01", "date_end": "2026"}


def test_the_fields_the_spec_marks_secret_are_replaced_before_drift_sees_them() -> None:
    operation = {"x-currents-contract": {"secret-fields": ["headers"]}}
    body = {"data": [{"hookId": "h", "headers": '{"Authorization": "Bearer s3cret"}'}, {"hookId": "g"}]}
    assert scrub_secret_fields(operation, body)["data"] == [{"hookId": "h", "headers": REDACTED}, {"hookId": "g"}]
    assert scrub_secret_fields({}, {"data": {"headers": "kept"}}) == {"data": {"headers": "kept"}}


def test_a_run_answer_is_matched_to_its_runner_variant_and_a_plain_one_is_checked_whole() -> None:
    documents = Documents.load()
    run = json.loads((ROOT / "contract_tests" / "reference_payloads" / "run-complete.json").read_text(encoding="utf-8"))
    matched = inspect_response(documents, "getRun r1", "getRun", run)
    assert matched.variant is not None and matched.violations == []
    unmatched = inspect_response(documents, "getRun r1", "getRun", {"status": "OK", "data": {"runId": "r1"}})
    assert unmatched.variant is None and unmatched.violations
    project = json.loads((ROOT / "contract_tests" / "fixtures" / "projects" / "get-project.json").read_text("utf-8"))
    project["data"]["surprise"] = 1
    plain = inspect_response(documents, "getProject p", "getProject", project)
    assert plain.variant is None and "$.data.surprise" in plain.unknown


def test_the_mock_serves_every_operation_of_the_spec() -> None:
    from contract_tests.mock_api.app import create_app

    spec = {(method, path) for path, method, _ in operations(GENERATED)}
    assert create_app().served_operations() == spec


def test_an_operation_the_mock_does_not_serve_is_left_out_of_the_documents_and_the_fetch() -> None:
    from scripts.contract.documents import checked_document, contract_document
    from scripts.contract.target import Target

    served = {(method, path) for path, method, _ in operations(GENERATED)} - {("get", "/instances/{instanceId}")}
    target = Target("mock", "http://127.0.0.1:9/v1", "contract-test-key", Ids(instances=["i1"]), True, served=served)
    document, unserved = checked_document(target)
    assert unserved == ["getInstance"]
    for checked in (document, contract_document(target)):
        assert "getInstance" not in json.dumps(checked["paths"])  # the operation, and every link to it
    assert not [c for c in plan(document, target)[0] if c.operation_id == "getInstance"]


def a_write_on(kind_parameter: str) -> dict[str, Any]:
    """The spec plus a made-up write on the object `kind_parameter` names, with a body and no contract body."""
    document: dict[str, Any] = json.loads(json.dumps(GENERATED))
    parameter = {"name": kind_parameter, "in": "path", "required": True, "schema": {"type": "string"}}
    body = {"content": {"application/json": {"schema": {"type": "object"}, "example": {"note": "x"}}}}
    document["paths"][f"/things/{{{kind_parameter}}}"] = {
        "put": {"operationId": "touchThing", "parameters": [parameter], "requestBody": body, "responses": answer()}
    }
    return document


def test_a_write_never_names_a_discovered_object_of_a_kind_writes_may_not_reach() -> None:
    ids = Ids(projects=["p1"], runs=["r1"], instances=["someone-elses-instance"])
    calls, problems = plan(a_write_on("instanceId"), FakeTarget(ids, allow_writes=True))
    assert not [c for c in calls if c.operation_id == "touchThing"] and problems == []
    calls, _ = plan(a_write_on("runId"), FakeTarget(ids, allow_writes=True))  # a run's write: on the mock, sent
    assert [c.arguments for c in calls if c.operation_id == "touchThing"] == [{"runId": "r1"}]


def test_live_a_write_without_a_body_of_the_contract_s_own_is_not_sent_and_says_so() -> None:
    ids = Ids(projects=["p1"], runs=["r1"])
    live = FakeTarget(ids, allow_writes=True, mode="live", write_project="p1")
    calls, problems = plan(a_write_on("runId"), live)
    assert not [c for c in calls if c.operation_id == "touchThing"]
    assert problems == [
        "touchThing: not sent live: the contract has no body of its own for it (scripts/contract/settings.py)"
    ]


def test_live_a_read_never_sends_the_spec_s_example_id(monkeypatch: Any) -> None:
    document = gadgets(soft_deleted=True)
    document["paths"]["/gadgets/{gadgetId}"]["get"]["parameters"][0]["example"] = "docs-account-gadget"
    monkeypatch.setitem(ID_PARAMETERS, "gadgetId", "instances")  # a kind discovery found none of
    calls, problems = plan(document, FakeTarget(Ids(projects=["p1"]), allow_writes=False, mode="live"))
    assert "docs-account-gadget" not in json.dumps([c.arguments for c in calls])
    assert problems == []  # no id discovered: nothing to read, and no example sent


def test_live_with_writes_every_operation_on_an_object_a_create_makes_is_pinned_reads_included() -> None:
    from scripts.contract.documents import contract_document
    from scripts.contract.settings import NO_SUCH_OBJECT
    from scripts.contract.target import Target

    ids = Ids(projects=["p1"], runs=["r1"], actions=["act_seeded"], webhooks=["047f87e2-b80c-46df-ad0c-7f8fc195b202"])
    target = Target("live", "http://127.0.0.1:9/v1", "contract-test-key", ids, True, write_project="p1")
    document = contract_document(target)
    pinned = 0
    for _, _, operation in operations(document):
        for parameter in operation.get("parameters", []):
            if parameter["name"] in NO_SUCH_OBJECT:
                assert parameter["schema"] == {"type": "string", "enum": [NO_SUCH_OBJECT[parameter["name"]]]}
                assert "examples" not in parameter and "example" not in parameter
                pinned += 1
    assert pinned >= 5  # get, update, enable, disable and delete of an action at least
    assert "act_seeded" not in json.dumps(document)


def test_an_unexpected_answer_of_an_operation_with_secrets_shows_them_replaced() -> None:
    from kit.scrub import Scrubber
    from scripts.contract.fetch import shown_body

    marked = {"x-currents-contract": {"secret-fields": ["headers"]}}
    body = json.dumps({"data": {"hookId": "h", "headers": '{"X-Token": "hook-secret"}'}}).encode()
    shown = shown_body(marked, Scrubber("contract-test-key"), body)
    assert "hook-secret" not in shown and REDACTED in shown
    assert "withheld" in shown_body(marked, Scrubber("contract-test-key"), b"<html>hook-secret</html>")
    assert "hook-secret" in shown_body({}, Scrubber("contract-test-key"), body)  # an operation with no secrets


def test_the_fetch_replaces_a_webhook_s_secret_headers_before_drift_sees_the_answer(monkeypatch: Any) -> None:
    import httpx

    import scripts.contract.fetch as fetch
    from contract_tests.conftest import demo_key
    from contract_tests.mock_api.app import create_app
    from contract_tests.mock_api.server import serve_in_thread
    from scripts.contract.target import Target, client_for

    inspected: list[Any] = []

    def spy(*arguments: Any, **options: Any) -> Any:
        inspected.append(arguments[3])  # the body drift inspects
        return inspect_response(*arguments, **options)

    monkeypatch.setattr(fetch, "inspect_response", spy)
    app = create_app()
    project = sorted(app.backend.world.projects)[0]
    with serve_in_thread(app) as base_url:
        created = httpx.post(
            f"{base_url}/webhooks",
            params={"projectId": project},
            headers={"Authorization": f"Bearer {demo_key()}"},
            json={"url": "https://hooks.example.com/x", "headers": '{"X-Token": "hook-secret"}', "label": "l"},
        )
        assert created.status_code == 201
        hook = created.json()["data"]["hookId"]
        webhooks_only = json.loads(json.dumps(GENERATED))
        webhooks_only["paths"] = {p: i for p, i in webhooks_only["paths"].items() if p.startswith("/webhooks")}
        target = Target("mock", base_url, demo_key(), Ids(projects=[project], webhooks=[hook]), allow_writes=False)
        _, problems, covered = fetch.fetch_and_inspect(target, webhooks_only, client_for)
    assert problems == [] and covered == {"listWebhooks", "getWebhook"}
    assert len(inspected) == 2 and "hook-secret" not in json.dumps(inspected)
    assert REDACTED in json.dumps(inspected)


def test_every_operation_whose_answer_holds_a_secret_field_is_marked_for_it() -> None:
    from kit import openapi as oas

    def secret_names(node: Any, seen: set[int]) -> set[str]:
        node, _ = oas.follow(GENERATED, node)
        if not isinstance(node, dict) or id(node) in seen:
            return set()
        seen.add(id(node))
        found = {n for n, p in node.get("properties", {}).items() if isinstance(p, dict) and p.get("x-currents-secret")}
        for value in node.values():
            for child in value if isinstance(value, list) else [value]:
                if isinstance(child, dict):
                    found |= secret_names(child, seen)
        return found

    from scripts.contract.registry import secret_fields

    marked = 0
    for _, _, operation in operations(GENERATED):
        answers = [r for s, r in operation.get("responses", {}).items() if s.startswith("2")]
        secrets = set().union(*(secret_names(r, set()) for r in answers))
        assert secrets <= set(secret_fields(operation)), operation["operationId"]
        marked += bool(secrets)
    assert marked == 4  # the webhook operations that answer a webhook (its delete answers an id)
