"""schemathesis, in pytest, against the mock: the examples, coverage and fuzzing phases with every check.

The schema is `generated/openapi.json` with every instance the mock holds as an example of `instanceId`,
as `make contract` runs it. No check is excluded: the stateful checks (use_after_free,
ensure_resource_availability) and object_level_authorization have nothing to act on with one read-only
operation and a single key, and skip themselves.
"""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import settings

from contract_tests.conftest import demo_key
from contract_tests.mock_api.corpus import load_instances
from scripts.contract import contract_document

INSTANCE_IDS = tuple(sorted(i.decode() for i in load_instances()))

# An explicit config, so that schemathesis.toml (which `make contract` passes to `st run`) is not picked up.
schema = schemathesis.openapi.from_dict(
    contract_document(INSTANCE_IDS),
    config=schemathesis.Config.from_dict(
        {
            "headers": {"Authorization": f"Bearer {demo_key()}"},
            "generation": {"max-examples": 60, "database": "none"},
            "checks": {"enabled": True},
            "phases": {"examples": {"enabled": True}, "coverage": {"enabled": True}, "fuzzing": {"enabled": True}},
        }
    ),
)


AUTHORIZED = f"Bearer {demo_key()}"


@schema.parametrize()
@settings(deadline=None)
def test_the_mock_api_honours_the_spec(case: schemathesis.Case[Any], mock_api: str) -> None:
    response = case.call_and_validate(base_url=mock_api)
    # A 404 is a documented answer, so the checks alone pass a mock that finds nothing; an instance
    # the mock holds, asked for with the demo key, must be found.
    request = response.request
    if (
        request.method == "GET"
        and request.headers.get("Authorization") == AUTHORIZED
        and case.path_parameters is not None
        and case.path_parameters.get("instanceId") in INSTANCE_IDS
    ):
        assert response.status_code == 200, f"{request.url}: {response.status_code} for an instance the mock holds"
