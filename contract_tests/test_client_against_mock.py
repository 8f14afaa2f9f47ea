"""The generated client fetches every fixture and seed example over HTTP from the mock, as its runner variant."""

from __future__ import annotations

import asyncio
import json

import pytest
from currents_api_client import AuthenticatedClient, errors
from currents_api_client.api.instances import get_instance

from contract_tests.conftest import demo_key
from contract_tests.mock_api.keys import load_keys
from kit.fixtures import Fixture, load_fixtures

SEEDS = {"bf89e79f-af2a-43cb-afba-2575e567f103": "CypressInstance", "2tniK8lM9j1rSoVh": "PlaywrightInstance"}
EXPECTED = {**{f.instance_id: f.variant for f in load_fixtures()}, **SEEDS}


@pytest.mark.parametrize("instance_id", sorted(EXPECTED))
def test_every_instance_comes_back_as_its_runner_variant(mock_api: str, instance_id: str) -> None:
    with AuthenticatedClient(token=demo_key(), base_url=mock_api) as client:
        instance = get_instance.sync(instance_id, client=client).data
    assert type(instance).__name__ == EXPECTED[instance_id]
    assert instance.instance_id == instance_id


def test_the_async_client_fetches_them_all_concurrently(mock_api: str) -> None:
    async def fetch_all() -> dict[str, str]:
        async with AuthenticatedClient(token=demo_key(), base_url=mock_api) as client:
            results = await asyncio.gather(*(get_instance.asyncio(i, client=client) for i in EXPECTED))
        return {r.data.instance_id: type(r.data).__name__ for r in results}

    assert asyncio.run(fetch_all()) == EXPECTED


@pytest.mark.parametrize("fixture", [f for f in load_fixtures() if f.unknown_fields], ids=lambda f: f.name)
def test_fields_the_spec_does_not_list_survive_the_round_trip(mock_api: str, fixture: Fixture) -> None:
    with AuthenticatedClient(token=demo_key(), base_url=mock_api) as client:
        response = get_instance.sync_detailed(fixture.instance_id, client=client)
    assert response.parsed is not None
    assert json.loads(response.content) == fixture.body
    data = response.parsed.to_dict()["data"]
    top_level_unknown = [p.removeprefix("$.data.") for p in fixture.unknown_fields if p.count(".") == 2]
    for name in top_level_unknown:
        assert data[name] == fixture.body["data"][name]


def test_the_mock_refuses_the_client_with_typed_errors(mock_api: str) -> None:
    limited = next(k for k in load_keys().keys if "*" not in k.projects).value
    other_project = next(f for f in load_fixtures() if f.project_id != "Prj7Qa")
    with AuthenticatedClient(token=limited, base_url=mock_api) as client:
        with pytest.raises(errors.PermissionDeniedError, match="403 Forbidden: Insufficient permissions"):
            get_instance.sync(other_project.instance_id, client=client)
        with pytest.raises(errors.NotFoundError, match="404 Not Found: Instance not found"):
            get_instance.sync("no-such-instance", client=client)
    with AuthenticatedClient(token="not-a-key-of-the-mock", base_url=mock_api, max_retries=0) as client:
        with pytest.raises(errors.AuthenticationError, match="401 Unauthorized: Invalid API key provided"):
            get_instance.sync(other_project.instance_id, client=client)
