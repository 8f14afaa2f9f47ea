"""The documents schemathesis checks: `generated/openapi.json` with this run's ids as examples, shaped for the target.

Scope: `checked_document(target)` is `generated/openapi.json` without the operations the target does not serve
(the mock's `served_operations`; live, none is left out). `contract_document(target)` sets the discovered ids
as the examples of the id parameters, and leaves out what the run may not call (`drop_writes`, read-only mode;
`pin_to_project` and the settings pins, live with writes; the operations whose answers may hold secrets, live).
`walk_document` shapes it for the stateful phase; `contract_specs` writes both under reports/.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from scripts.contract import REPORTS
from scripts.contract.plan import ID_PARAMETERS
from scripts.contract.registry import is_account_wide, is_write, operations, remove_operations, takes_known_tests
from scripts.contract.settings import drop_secret_operations, pin_settings
from scripts.contract.target import MOCK_WINDOW, Target
from scripts.spec.sources import BUNDLED_NAME, GENERATED

CONTRACT_SPEC = REPORTS / "openapi.contract.json"
STATEFUL_SPEC = REPORTS / "openapi.stateful.json"


def drop_writes(document: dict[str, Any]) -> list[str]:
    """Remove the write operations (and every link to them) from `document`; return their operationIds."""
    return remove_operations(document, lambda _path, method, operation: is_write(method, operation))


def checked_document(target: Target) -> tuple[dict[str, Any], list[str]]:
    """generated/openapi.json without the operations the target does not serve (the mock's
    `served_operations`; live, none is left out), and their operationIds."""
    document: dict[str, Any] = json.loads((GENERATED / BUNDLED_NAME).read_text(encoding="utf-8"))
    served = target.served
    if served is None:
        return document, []
    return document, remove_operations(document, lambda path, method, _operation: (method, path) not in served)


def pin_to_project(document: dict[str, Any], project_id: str) -> None:
    """Every `projectId` parameter accepts only `project_id`, and the projects listing (the one response that
    names other projects) is left out, so that every run a write operation reaches, by example or by link,
    belongs to the project set aside for writes. The spec marks that listing `account-wide`."""
    remove_operations(document, lambda _path, _method, operation: is_account_wide(operation))
    for _, _, operation in operations(document):
        for parameter in operation.get("parameters", []):
            if parameter.get("name") == "projectId":
                parameter["schema"] = {"type": "string", "enum": [project_id]}
        for content in operation.get("requestBody", {}).get("content", {}).values():
            # a body that names a project (the test signature) names this one: a signature of another
            # project leads, through its test results, to that project's runs and their cancel and delete
            content.pop("examples", None)
            content.pop("example", None)
            schema = content.get("schema", {})
            if "$ref" in schema:
                schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
            if "projectId" in schema.get("properties", {}):
                schema["properties"]["projectId"] = {"type": "string", "enum": [project_id]}
        for response in operation.get("responses", {}).values():
            for content in response.get("content", {}).values():
                # schemathesis feeds the ids of response examples to linked operations: the spec's examples
                # name runs of other (real) accounts, so none may reach a write operation
                content.pop("examples", None)
                content.pop("example", None)


def contract_document(target: Target) -> dict[str, Any]:
    """generated/openapi.json for this run: id examples from `target.ids`, writes removed unless allowed."""
    document = checked_document(target)[0]
    parameters = document.get("components", {}).get("parameters", {})
    for _, _, operation in operations(document):
        resolved = []
        for parameter in operation.get("parameters", []):
            if "$ref" in parameter:  # inline shared parameters, so that each operation gets its own examples
                parameter = json.loads(json.dumps(parameters[parameter["$ref"].rsplit("/", 1)[-1]]))
            kind = ID_PARAMETERS.get(parameter.get("name", ""))
            values = getattr(target.ids, kind) if kind else []
            if values and parameter.get("in") in ("path", "query"):
                parameter.pop("example", None)
                parameter["examples"] = {f"{kind}{n}": {"value": v} for n, v in enumerate(values)}
            elif kind and target.mode == "live":
                # The spec's example ids name runs and projects of the accounts the docs show: never sent to
                # the real API (with writes allowed, cancel, reset and delete would take them).
                parameter.pop("example", None)
                parameter.pop("examples", None)
            resolved.append(parameter)
        if resolved:
            operation["parameters"] = resolved
    if not target.allow_writes:
        left_out = drop_writes(document)
        print(f"contract: read-only: {', '.join(left_out)} left out (CONTRACT_ALLOW_WRITES=1 enables them)")
    elif target.mode == "live" and target.write_project:
        pin_to_project(document, target.write_project)
        pin_settings(document)
    if target.mode == "live":
        dropped = drop_secret_operations(document)
        print(f"contract: live: {', '.join(dropped)} left to the drift fetch (their answers may hold secrets)")
    return document


def walk_document(
    document: dict[str, Any], window: tuple[str, str], tests: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """The contract document for the stateful phase: each read operation keeps only its required parameters
    (and `limit`), and required dates span `window`, so that listings return items whose links lead on.
    When `tests` are known, an operation the spec marks `body-from: known-tests` (POST /signature/test) asks
    for the signature of one of them, so that its link to the test's results finds results, and theirs to a
    run and an instance lead on.

    Random filters, cursors, periods and test titles almost always make a listing empty, and a link from an
    empty page leads nowhere: schemathesis reports each as "Failed to extract data from response", though the
    API answered as documented. The filters and bodies themselves are checked by the other phases."""
    walk: dict[str, Any] = json.loads(json.dumps(document))
    for _, method, operation in operations(walk):
        if takes_known_tests(operation) and tests:
            for media in operation["requestBody"]["content"].values():
                media["schema"] = {"enum": tests}
                media.pop("examples", None)
                media.pop("example", None)
        if method != "get":
            continue
        kept = []
        for parameter in operation.get("parameters", []):
            if parameter.get("in") == "path" or parameter.get("name") == "limit":
                kept.append(parameter)
            elif parameter.get("required"):
                if parameter.get("name") in ("date_start", "date_end"):
                    value = window[0] if parameter["name"] == "date_start" else window[1]
                    parameter["schema"] = {"type": "string", "enum": [value]}
                    parameter.pop("examples", None)
                kept.append(parameter)
        operation["parameters"] = kept
    return walk


def date_window(target: Target) -> tuple[str, str]:
    """The period the stateful walk asks listings about: the whole mock world, or live the period of the
    runs discovery found."""
    return target.ids.window or MOCK_WINDOW


def contract_specs(target: Target) -> tuple[Path, Path]:
    """Write the contract documents of `target` under reports/, for `st run`: one for the examples, coverage
    and fuzzing phases, and one for the stateful phase (`walk_document`)."""
    REPORTS.mkdir(exist_ok=True)
    document = contract_document(target)
    CONTRACT_SPEC.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    STATEFUL_SPEC.write_text(
        json.dumps(walk_document(document, date_window(target), target.ids.tests), indent=2) + "\n",
        encoding="utf-8",
    )
    return CONTRACT_SPEC, STATEFUL_SPEC
