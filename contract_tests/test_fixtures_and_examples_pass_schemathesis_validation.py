"""The fixture corpus and the spec's seed examples pass schemathesis's own response validation.

The fixtures are hand-written (or recorded with `make record`); each is checked as a stored response, without a
server, as schemathesis would check it coming from the API."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
import schemathesis
from schemathesis.core.failures import Failure, FailureGroup

from kit.fixtures import Fixture, load_fixtures
from scripts.spec.sources import BUNDLED_NAME, GENERATED

SCHEMA = schemathesis.openapi.from_path(GENERATED / BUNDLED_NAME, config=schemathesis.Config())
OPERATION = SCHEMA["/instances/{instanceId}"]["GET"]
EXAMPLES = json.loads((GENERATED / BUNDLED_NAME).read_text())["components"]["examples"]


def stored(status: int, body: Any) -> schemathesis.Response:
    """A stored response, as schemathesis's validation takes it."""
    request = requests.Request("GET", "https://api.currents.dev/v1/instances/stored").prepare()
    return schemathesis.Response(
        status_code=status,
        headers={"content-type": ["application/json"]},
        content=json.dumps(body).encode(),
        request=request,
        elapsed=0.0,
        verify=True,
    )


@pytest.mark.parametrize("fixture", load_fixtures(), ids=lambda f: f.name)
def test_every_fixture_passes_response_validation(fixture: Fixture) -> None:
    OPERATION.validate_response(stored(200, fixture.body))


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("CypressInstance", 200),
        ("PlaywrightInstance", 200),
        ("InvalidApiKey", 401),
        ("InsufficientPermissions", 403),
        ("InstanceNotFound", 404),
    ],
)
def test_every_seed_example_passes_response_validation(name: str, status: int) -> None:
    OPERATION.validate_response(stored(status, EXAMPLES[name]["value"]))


def test_a_stored_response_that_breaks_the_spec_fails_with_the_json_path() -> None:
    body = load_fixtures()[0].body
    broken = json.loads(json.dumps(body))
    broken["data"]["createdAt"] = "yesterday"
    with pytest.raises((Failure, FailureGroup)) as raised:
        OPERATION.validate_response(stored(200, broken))
    failures = raised.value.exceptions if isinstance(raised.value, FailureGroup) else [raised.value]
    assert any(isinstance(f, Failure) and "Response violates schema" in f.title for f in failures)


def test_an_error_body_without_the_envelope_fails_validation() -> None:
    with pytest.raises((Failure, FailureGroup)):
        OPERATION.validate_response(stored(404, {"message": "not found"}))
