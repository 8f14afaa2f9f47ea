"""Fidelity: the drift report over the real payloads Currents published (`../shared/reference/`, or
CURRENTS_REFERENCE_DIR) lists no field the spec does not document, and each matches exactly one runner variant.

The payloads are read where they are, never copied into the project."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from scripts._cli import ROOT
from scripts.drift import Documents, inspect
from scripts.fixtures import OperationFixture, load_operation_fixtures

REFERENCE = Path(os.environ.get("CURRENTS_REFERENCE_DIR") or ROOT.parent / "shared" / "reference")
PAYLOADS = [
    ("playwright-instance-schema-v2.json", "Instance", "InstanceResponse", "PlaywrightInstance"),
    ("run-complete.json", "Run", "RunResponse", "PlaywrightRun"),
    ("run-in-progress.json", "Run", "RunResponse", "PlaywrightRun"),
]
DOCUMENTS = Documents.load()


def reference(name: str) -> Any:
    path = REFERENCE / name
    assert path.is_file(), f"{path}: the shared reference payloads are missing (set CURRENTS_REFERENCE_DIR)"
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize(("name", "union", "envelope", "variant"), PAYLOADS, ids=[p[0] for p in PAYLOADS])
def test_the_drift_report_lists_no_undocumented_field_of_a_real_payload(
    name: str, union: str, envelope: str, variant: str
) -> None:
    finding = inspect(DOCUMENTS, name, reference(name), union=union, envelope=envelope)
    assert finding.violations == []
    assert finding.variant == variant
    assert finding.unknown == {}


def test_the_drift_report_still_sees_a_field_added_to_a_real_run() -> None:
    body = reference("run-complete.json")
    body["data"]["specs"][0]["results"]["stats"]["interrupted"] = 0
    body["data"]["groups"][0]["newCounter"] = 1
    finding = inspect(DOCUMENTS, "run", body, union="Run", envelope="RunResponse")
    assert sorted(finding.unknown) == ["$.data.groups[*].newCounter", "$.data.specs[*].results.stats.interrupted"]


RUN_FIXTURES = [f for f in load_operation_fixtures() if f.operation in ("getRun", "findRun") and f.status == 200]


@pytest.mark.parametrize("fixture", RUN_FIXTURES, ids=lambda f: f.name)
def test_the_run_fixtures_carry_only_documented_fields(fixture: OperationFixture) -> None:
    finding = inspect(DOCUMENTS, fixture.name, fixture.body, union="Run", envelope="RunResponse")
    assert finding.violations == [] and finding.variant == fixture.variant
    assert finding.unknown == {}
