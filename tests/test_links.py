"""OpenAPI links, which the stateful contract phase follows: each names an operation that exists, fills only that
operation's parameters, and its runtime expression finds a value in a real response of its operation."""

from __future__ import annotations

from typing import Any

import pytest

from scripts import bundle
from scripts.fixtures import load_operation_fixtures

DOCUMENT = bundle.bundle()
OPERATIONS = {o["operationId"]: o for item in DOCUMENT["paths"].values() for o in item.values() if isinstance(o, dict)}
LINKS = [
    (source, name, link)
    for source, operation in OPERATIONS.items()
    for name, link in operation["responses"]["200"].get("links", {}).items()
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
    # Links only ever lead to reads: a stateful run never cancels, resets or deletes by following one.
    assert not {target for _, target in edges} & {"cancelRun", "resetRun", "deleteRun"}


@pytest.mark.parametrize(("source", "name", "link"), LINKS, ids=[f"{s}.{n}" for s, n, _ in LINKS])
def test_each_link_fills_parameters_of_its_target_from_a_real_response(
    source: str, name: str, link: dict[str, Any]
) -> None:
    target = OPERATIONS[link["operationId"]]
    assert set(link["parameters"]) <= parameter_names(target)
    bodies = [f.body for f in FIXTURES if f.operation == source and f.status == 200 and f.body.get("data")]
    assert bodies, f"no non-empty 200 fixture of {source}"
    for expression in link["parameters"].values():
        assert expression.startswith("$response.body#/")
        value = pointer_value(bodies[0], expression.split("#", 1)[1])
        assert isinstance(value, str) and value
