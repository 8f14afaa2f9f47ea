"""Path parameters are percent-encoded, so an instance id can never leave /instances/."""

from __future__ import annotations

import pytest
from currents_api_client import AuthenticatedClient, errors
from currents_api_client.api.instances import get_instance

from tests.client.conftest import API_KEY, ScriptedServer
from tests.client.scripted_api import failed

IDS = {
    "../runs/x": "/v1/instances/..%2Fruns%2Fx",
    "..": "/v1/instances/%2E%2E",
    ".": "/v1/instances/%2E",
    "a/b": "/v1/instances/a%2Fb",
    "a?b=c#d": "/v1/instances/a%3Fb%3Dc%23d",
    "with space": "/v1/instances/with%20space",
    "üñí": "/v1/instances/%C3%BC%C3%B1%C3%AD",
    "%2F": "/v1/instances/%252F",
}


@pytest.mark.parametrize("instance_id", IDS)
def test_instance_id_is_percent_encoded_into_one_path_segment(server: ScriptedServer, instance_id: str) -> None:
    server.api.script(failed(404, "Instance not found"))
    with AuthenticatedClient(token=API_KEY, base_url=server.base_url) as client:
        with pytest.raises(errors.NotFoundError):
            get_instance.sync(instance_id, client=client)
    (request,) = server.api.received
    assert request.raw_path == IDS[instance_id]
    assert request.raw_path.count("/") == 3


def test_requests_carry_the_bearer_key_and_go_to_the_base_url(server: ScriptedServer) -> None:
    server.api.script(failed(404, "Instance not found"))
    with AuthenticatedClient(token=API_KEY, base_url=server.base_url) as client:
        get_instance.sync_detailed("abc", client=client)
    (request,) = server.api.received
    assert request.method == "GET" and request.raw_path == "/v1/instances/abc"
    assert request.headers["authorization"] == f"Bearer {API_KEY}"
