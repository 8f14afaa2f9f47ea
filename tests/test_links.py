"""OpenAPI links, which the stateful contract phase follows: each names an operation that exists, fills only that
operation's parameters, and its runtime expression finds a value in a real response of its operation."""

from __future__ import annotations

from typing import Any

import pytest

from kit import bundle
from kit.fixtures import load_operation_fixtures

DOCUMENT = bundle.bundle()
OPERATIONS = {o["operationId"]: o for item in DOCUMENT["paths"].values() for o in item.values() if isinstance(o, dict)}
LINKS = [
    (source, name, link)
    for source, operation in OPERATIONS.items()
    for status in ("200", "201")
    if status in operation["responses"]
    for name, link in operation["responses"][status].get("links", {}).items()
]
FIXTURES = load_operation_fixtures()


def parameter_names(operation: dict[str, Any]) -> set[str]:
    names = set()
    for parameter in operation.get("parameters", []):
        if "$ref" in parameter:
            parameter = DOCUMENT["components"]["parameters"][parameter["$ref"].rsplit("/", 1)[-1]]
        names.add(parameter["name"])
    return names


def pointer_value(body: Any, pointer: str) -> Any:
    for token in pointer.lstrip("/").split("/"):
        body = body[int(token)] if isinstance(body, list) else body[token]
    return body


def test_the_read_path_is_linked_from_projects_to_instances() -> None:
    edges = {(source, link["operationId"]) for source, _, link in LINKS}
    assert {
        ("listProjects", "getProject"),
        ("listProjects", "listProjectRuns"),
        ("getProject", "listProjectRuns"),
        ("listProjectRuns", "getRun"),
        ("getRun", "getInstance"),
        ("findRun", "getInstance"),
        ("listTests", "getTestResults"),
        ("getTestSignature", "getTestResults"),
        ("getTestResults", "getRun"),
        ("getTestResults", "getInstance"),
    } <= edges
    # A link leads to a write only from a run's own answer (get, find, cancel), with that run's id: the stateful
    # phase cancels, resets and deletes the run it just read. Live mode leaves these links out unless writes are
    # allowed (scripts/contract/).
    writes = {"cancelRun", "resetRun", "deleteRun"}
    for source, _, link in LINKS:
        if link["operationId"] in writes:
            assert source in {"getRun", "findRun", "cancelRun"}, source
            assert link["parameters"] == {"runId": "$response.body#/data/runId"}


def test_action_and_webhook_writes_are_linked_only_from_their_own_life_cycle() -> None:
    # The stateful phase walks create -> get -> update -> disable -> enable -> delete -> get for an action and
    # create -> get -> update -> delete -> get for a webhook: a write link starts from an answer about that same
    # object (never from a list, whose first item may be an object the run did not create) and fills its own id.
    cycles = {
        "actionId": {"createAction", "getAction", "updateAction", "disableAction", "enableAction"},
        "hookId": {"createWebhook", "getWebhook", "updateWebhook"},
    }
    writes = {
        "updateAction": "actionId",
        "disableAction": "actionId",
        "enableAction": "actionId",
        "deleteAction": "actionId",
        "updateWebhook": "hookId",
        "deleteWebhook": "hookId",
    }
    edges = {(source, link["operationId"]) for source, _, link in LINKS}
    assert {
        ("createAction", "getAction"),
        ("getAction", "updateAction"),
        ("updateAction", "disableAction"),
        ("disableAction", "enableAction"),
        ("enableAction", "deleteAction"),
        ("deleteAction", "getAction"),
        ("createWebhook", "getWebhook"),
        ("getWebhook", "updateWebhook"),
        ("updateWebhook", "deleteWebhook"),
        ("deleteWebhook", "getWebhook"),
    } <= edges
    for source, _, link in LINKS:
        key = writes.get(link["operationId"])
        if key is not None:
            assert source in cycles[key], source
            assert link["parameters"] == {key: f"$response.body#/data/{key}"}


@pytest.mark.parametrize(("source", "name", "link"), LINKS, ids=[f"{s}.{n}" for s, n, _ in LINKS])
def test_each_link_fills_parameters_of_its_target_from_a_real_response(
    source: str, name: str, link: dict[str, Any]
) -> None:
    target = OPERATIONS[link["operationId"]]
    assert set(link["parameters"]) <= parameter_names(target)
    bodies = [f.body for f in FIXTURES if f.operation == source and f.status in (200, 201) and f.body.get("data")]
    assert bodies, f"no non-empty 200 fixture of {source}"
    for expression in link["parameters"].values():
        assert expression.startswith("$response.body#/")
        value = pointer_value(bodies[0], expression.split("#", 1)[1])
        assert isinstance(value, str) and value
