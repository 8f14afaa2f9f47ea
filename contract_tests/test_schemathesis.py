"""schemathesis, in pytest, against a mock of its own: the examples, coverage and fuzzing phases with every check.

The schema is the contract document `make contract` writes (`scripts.contract.documents.contract_document`): every
operation, writes included, with ids of the mock's world as the examples of the id parameters. The stateful
phase runs through schemathesis's CLI in `test_stateful_links.py`, which also proves the links are followed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import settings

from contract_tests.conftest import demo_key
from contract_tests.mock_api.app import MockApi, create_app
from contract_tests.mock_api.seed import build_world
from contract_tests.mock_api.server import serve_in_thread
from scripts.contract.documents import contract_document
from scripts.contract.registry import operation_settings
from scripts.contract.target import Target, mock_ids

TARGET = Target("mock", "http://mock.invalid/v1", demo_key(), mock_ids(build_world()), allow_writes=True)

# An explicit config, so that schemathesis.toml (which `make contract` passes to `st run`) is not picked up.
DOCUMENT = contract_document(TARGET)
schema = schemathesis.openapi.from_dict(
    DOCUMENT,
    config=schemathesis.Config.from_dict(
        {
            "headers": {"Authorization": f"Bearer {demo_key()}"},
            "generation": {"max-examples": 5, "database": "none"},
            "checks": {"enabled": True},
            "phases": {"examples": {"enabled": True}, "coverage": {"enabled": True}, "fuzzing": {"enabled": True}},
            # the per-operation settings the spec's x-currents-contract markers ask for (the statuses a state or
            # a cursor may explain), as `make contract` appends them to schemathesis.toml
            "operations": operation_settings(DOCUMENT),
        }
    ),
)


AUTHORIZED = f"Bearer {demo_key()}"


@pytest.fixture(scope="module")
def own_mock() -> Iterator[tuple[str, MockApi]]:
    """A mock for this module alone: the writes schemathesis sends change its state, no one else's."""
    app = create_app()
    with serve_in_thread(app) as base_url:
        yield base_url, app
    assert not app.journal.faults, app.journal.faults


@schema.parametrize()
@settings(deadline=None)
def test_the_mock_api_honours_the_spec_and_finds_what_it_holds(
    case: schemathesis.Case[Any], own_mock: tuple[str, MockApi]
) -> None:
    base_url, app = own_mock
    response = case.call_and_validate(base_url=base_url)
    # A 404 is a documented answer, so the checks alone pass a mock that finds nothing; an instance the mock
    # still holds (its run not deleted by an earlier case), asked for with the demo key, must be found.
    request = response.request
    if (
        request.method == "GET"
        and request.headers.get("Authorization") == AUTHORIZED
        and case.path_parameters is not None
        and case.path_parameters.get("instanceId") in app.backend.world.instances
    ):
        assert response.status_code == 200, f"{request.url}: {response.status_code} for an instance the mock holds"
