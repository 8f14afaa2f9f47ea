"""Fidelity: the drift report over the real payloads Currents published lists no field the spec does not
document, and each matches exactly one runner variant.

The payloads are kept unchanged in `contract_tests/reference_payloads/` (their source and checksums are in its
SOURCE.md), so the test reads nothing outside the repository."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

import pytest

from kit._cli import ROOT
from kit.fixtures import OperationFixture, load_operation_fixtures
from scripts.contract.drift import Documents, inspect

REFERENCE = ROOT / "contract_tests" / "reference_payloads"
PAYLOADS = [
    ("playwright-instance-schema-v2.json", "Instance", "InstanceResponse", "PlaywrightInstance"),
    ("run-complete.json", "Run", "RunResponse", "PlaywrightRun"),
    ("run-in-progress.json", "Run", "RunResponse", "PlaywrightRun"),
]
DOCUMENTS = Documents.load()


def reference(name: str) -> Any:
    return json.loads((REFERENCE / name).read_text(encoding="utf-8"))


def test_the_reference_payloads_are_kept_unchanged_with_their_source_noted() -> None:
    """Each payload is listed in SOURCE.md with the checksum of the published file, and nothing else is there."""
    noted = dict(
        re.findall(r"^\| `([^`]+\.json)` \|.*\| `([0-9a-f]{64})` \|$", (REFERENCE / "SOURCE.md").read_text(), re.M)
    )
    kept = {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in REFERENCE.glob("*.json")}
    assert kept == noted
    assert sorted(kept) == sorted(p[0] for p in PAYLOADS)


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
