"""`make validate FILE=...` on a captured webhook delivery: each valid delivery fixture is named by its webhook,
and each refused one is refused (exit 1) with the violation where its manifest says."""

from __future__ import annotations

import pytest

from scripts.spec.payload_fixtures import PayloadFixture, load_delivery_fixtures, load_refused_delivery_fixtures
from tests.support import RunScript

pytestmark = pytest.mark.slow  # the end-to-end tier: `make test-e2e`

WEBHOOKS = {
    "runStartDelivery": "runStart",
    "runFinishDelivery": "runFinish",
    "runTimeoutDelivery": "runTimeout",
    "runCanceledDelivery": "runCanceled",
}


@pytest.mark.parametrize("fixture", load_delivery_fixtures(), ids=lambda f: f.name)
def test_a_valid_delivery_is_named_by_its_webhook(fixture: PayloadFixture, run_script: RunScript) -> None:
    process = run_script("spec.validate", str(fixture.path))
    assert process.returncode == 0, process.stderr
    webhook = WEBHOOKS[fixture.operation]
    assert process.stdout.strip().endswith(f"valid webhook delivery: {webhook} ({fixture.body['event']})")


@pytest.mark.parametrize(
    "fixture", [f for f in load_refused_delivery_fixtures() if f.refused_at != "$.event"], ids=lambda f: f.name
)
def test_a_refused_delivery_lists_its_violation(fixture: PayloadFixture, run_script: RunScript) -> None:
    process = run_script("spec.validate", str(fixture.path))
    assert process.returncode == 1
    assert "matches no webhook delivery; closest is runStart" in process.stderr
    assert f": {fixture.refused_at}" in process.stderr
