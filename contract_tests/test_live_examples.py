"""Live mode's contract document: the spec's example ids (runs and projects of the accounts the docs show)
never reach the real API, above all not a write operation's path."""

from __future__ import annotations

from typing import Any

from scripts.contract.discovery import Ids
from scripts.contract.documents import contract_document
from scripts.contract.target import Target

ID_NAMES = {"projectId", "runId", "instanceId", "signature"}


def id_examples(document: dict[str, Any]) -> dict[str, list[Any]]:
    """Every example value of an id parameter, by `operationId`."""
    found: dict[str, list[Any]] = {}
    for item in document["paths"].values():
        for operation in item.values():
            if not isinstance(operation, dict) or "operationId" not in operation:
                continue
            for parameter in operation.get("parameters", []):
                if parameter.get("name") in ID_NAMES:
                    values = [e["value"] for e in parameter.get("examples", {}).values()]
                    if "example" in parameter:
                        values.append(parameter["example"])
                    found.setdefault(operation["operationId"], []).extend(values)
    return found


def test_writes_allowed_in_a_project_without_runs_send_no_spec_example_run_to_cancel_reset_or_delete() -> None:
    target = Target("live", "http://127.0.0.1:9", "k" * 32, Ids(projects=["Prj9Zb"]), True, "Prj9Zb")

    examples = id_examples(contract_document(target))

    for operation in ("cancelRun", "resetRun", "deleteRun", "getRun"):
        assert examples.get(operation, []) == [], operation
    assert set(examples["getProject"]) == {"Prj9Zb"}


def test_read_only_live_mode_uses_discovered_ids_only() -> None:
    target = Target("live", "http://127.0.0.1:9", "k" * 32, Ids(projects=["PrjA"], runs=["run1"]), False)

    examples = id_examples(contract_document(target))

    assert examples["getRun"] == ["run1"]
    assert examples["getInstance"] == [] and examples["getTestResults"] == []


def test_writes_allowed_pin_the_test_signature_body_to_the_project_set_aside() -> None:
    target = Target("live", "http://127.0.0.1:9", "k" * 32, Ids(projects=["Prj9Zb"], runs=["run1"]), True, "Prj9Zb")

    document = contract_document(target)

    content = document["paths"]["/signature/test"]["post"]["requestBody"]["content"]["application/json"]
    assert "examples" not in content and "example" not in content
    body = document["components"]["schemas"]["TestSignatureRequest"]
    assert body["properties"]["projectId"]["enum"] == ["Prj9Zb"]
