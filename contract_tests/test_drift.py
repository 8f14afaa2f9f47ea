"""Drift: the strict contract overlay names the fields a response carries that the spec does not list."""

from __future__ import annotations

import copy
from collections import Counter
from typing import Any

import pytest

from kit.fixtures import Fixture, OperationFixture, load_fixtures, load_operation_fixtures
from scripts.contract.drift import (
    Documents,
    DriftField,
    _strict_envelope_validator,
    inspect,
    inspect_operation,
    pattern_path,
    summarise,
)

DOCUMENTS = Documents.load()
FIXTURES = load_fixtures()
# The 200 responses of every operation other than getInstance, getRun and findRun (whose runs are matched to a
# runner variant first, and tested above and in test_reference_fidelity.py).
OTHER_FIXTURES = [f for f in load_operation_fixtures() if f.status == 200 and f.operation not in ("getRun", "findRun")]
UNDOCUMENTED = "undocumentedField"
# RunResetResult: Currents documents none of its fields, so the spec keeps it open and it has no drift to find.
UNDOCUMENTED_DATA = {"resetRun"}


def with_undocumented_fields(body: Any, operation: str) -> tuple[Any, set[str]]:
    """`body` with a field the spec does not list beside `status`, and in the first item of its data (an
    object, a list, or a `list` inside it); and the drift paths those fields must have."""
    body = copy.deepcopy(body)
    body[UNDOCUMENTED] = 1
    paths = {f"$.{UNDOCUMENTED}"}
    data = body.get("data") if operation not in UNDOCUMENTED_DATA else None
    if isinstance(data, dict) and isinstance(data.get("list"), list) and data["list"]:
        data["list"][0][UNDOCUMENTED] = "x"
        paths.add(f"$.data.list[*].{UNDOCUMENTED}")
    elif isinstance(data, dict):
        data[UNDOCUMENTED] = "x"
        paths.add(f"$.data.{UNDOCUMENTED}")
    elif isinstance(data, list) and data and isinstance(data[0], dict):
        data[0][UNDOCUMENTED] = "x"
        paths.add(f"$.data[*].{UNDOCUMENTED}")
    return body, paths


def test_every_other_operation_has_a_200_fixture() -> None:
    assert {f.operation for f in OTHER_FIXTURES} >= {
        "listProjects",
        "getProject",
        "listProjectRuns",
        "listSpecFiles",
        "listTests",
        "getTestResults",
        "getTestSignature",
        "cancelRun",
        "deleteRun",
        "resetRun",
    }


@pytest.mark.parametrize("fixture", OTHER_FIXTURES, ids=lambda f: f.name)
def test_a_fixture_of_any_other_operation_carries_no_drift_and_a_field_added_to_it_is_drift(
    fixture: OperationFixture,
) -> None:
    """Against the strict document: the spec as written leaves objects open, so it would see no drift at all."""
    clean = inspect_operation(DOCUMENTS, fixture.name, fixture.operation, fixture.body)
    assert clean.violations == [] and clean.unknown == {}
    body, paths = with_undocumented_fields(fixture.body, fixture.operation)
    finding = inspect_operation(DOCUMENTS, fixture.name, fixture.operation, body)
    assert finding.violations == []
    assert set(finding.unknown) == paths


@pytest.mark.parametrize("fixture", [f for f in FIXTURES if f.unknown_fields], ids=lambda f: f.name)
def test_the_report_names_the_unknown_fields_of_fixtures_that_carry_them(fixture: Fixture) -> None:
    finding = inspect(DOCUMENTS, fixture.name, fixture.body)
    assert finding.variant == fixture.variant and finding.violations == []
    assert sorted(finding.unknown) == sorted(fixture.unknown_fields)


@pytest.mark.parametrize("fixture", [f for f in FIXTURES if not f.unknown_fields], ids=lambda f: f.name)
def test_the_report_names_nothing_for_fixtures_that_carry_none(fixture: Fixture) -> None:
    finding = inspect(DOCUMENTS, fixture.name, fixture.body)
    assert finding.variant == fixture.variant
    assert finding.unknown == {} and finding.violations == []


def test_a_new_field_anywhere_is_found_with_its_normalised_path_and_value() -> None:
    body = copy.deepcopy(next(f for f in FIXTURES if f.name == "playwright-v2-flaky-with-attachments").body)
    body["data"]["results"]["attachments"][0]["sha256"] = "ab12"
    first_test = next(iter(body["data"]["testResults"]))
    body["data"]["testResults"][first_test]["attempts"][0]["error"] = {"message": "m", "cause": "c"}
    body["data"]["commit"]["ghaEventData"]["runId"] = 42
    body["meta"] = {"page": 1}
    finding = inspect(DOCUMENTS, "edited", body)
    assert finding.unknown == {
        "$.data.results.attachments[*].sha256": "ab12",
        "$.data.testResults.*.attempts[*].error.cause": "c",
        "$.data.commit.ghaEventData.runId": 42,
        "$.meta": {"page": 1},
    }


def test_a_body_that_matches_no_variant_is_a_violation_not_drift() -> None:
    body = copy.deepcopy(FIXTURES[0].body)
    del body["data"]["instanceId"]
    finding = inspect(DOCUMENTS, "broken", body)
    assert finding.variant is None and finding.unknown == {}
    assert any("'instanceId' is a required property" in line for line in finding.violations)


def test_the_summary_counts_responses_per_field() -> None:
    clean = [copy.deepcopy(f.body) for f in FIXTURES if not f.unknown_fields][:3]
    clean[0]["meta"] = {"page": 1}
    clean[1]["meta"] = {"page": 2}  # the same unknown field in a second response
    findings = [inspect(DOCUMENTS, f.name, f.body) for f in FIXTURES]
    findings += [inspect(DOCUMENTS, f"edited-{n}", body) for n, body in enumerate(clean)]
    for finding in findings:
        finding.operation = "getInstance"

    fields = {f.path: f for f in summarise(findings)}

    expected = Counter(path for f in FIXTURES for path in f.unknown_fields)
    expected["$.meta"] = 2
    assert {path: f.responses for path, f in fields.items()} == dict(expected)
    assert fields["$.meta"] == DriftField("$.meta", {"page": 1}, 2, ["getInstance"])
    assert fields["$.meta"].as_json() == {
        "path": "$.meta",
        "operations": ["getInstance"],
        "responses": 2,
        "example": {"page": 1},
    }
    assert fields["$.meta"].shown == '{"page": 1}'  # JSON text, not a Python repr


def test_the_summary_names_every_operation_whose_responses_had_a_field() -> None:
    run_body = copy.deepcopy(next(f for f in OTHER_FIXTURES if f.operation == "getProject").body)
    run_body["extra"] = None
    listing = copy.deepcopy(next(f for f in OTHER_FIXTURES if f.operation == "listProjects").body)
    listing["extra"] = True
    findings = [
        inspect_operation(DOCUMENTS, "a", "getProject", run_body),
        inspect_operation(DOCUMENTS, "b", "listProjects", listing),
    ]
    for finding, operation in zip(findings, ("getProject", "listProjects"), strict=True):
        finding.operation = operation
    (field,) = summarise(findings)
    assert field.operations == ["getProject", "listProjects"] and field.responses == 2
    assert field.example is None and field.shown == "null"


def test_pattern_paths_turn_array_items_and_map_keys_into_wildcards() -> None:
    assert (
        pattern_path(
            [
                "properties",
                "data",
                "properties",
                "testResults",
                "additionalProperties",
                "properties",
                "attempts",
                "items",
            ]
        )
        == "$.data.testResults.*.attempts[*]"
    )
    assert pattern_path(["properties", "data", "oneOf", 0, "properties", "a-b"]) == "$.data['a-b']"


def test_a_strict_validator_is_kept_per_envelope_and_variant_not_per_variant_alone() -> None:
    documents = Documents.load()
    in_instance_envelope = _strict_envelope_validator(documents, "CypressRun", "InstanceResponse")
    in_run_envelope = _strict_envelope_validator(documents, "CypressRun", "RunResponse")
    assert in_run_envelope is not in_instance_envelope
    assert _strict_envelope_validator(documents, "CypressRun", "RunResponse") is in_run_envelope
