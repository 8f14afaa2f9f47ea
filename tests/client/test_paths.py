"""Path parameters are percent-encoded, so an instance id can never leave /instances/; a value that cannot be one
path segment raises at the call, naming its argument."""

from __future__ import annotations

import ast
import uuid

import pytest
from currents_api_client import AuthenticatedClient, errors
from currents_api_client.api.instances import get_instance
from currents_api_client.types import path_segment

from scripts.spec.sources import GENERATED
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


def test_every_path_parameter_of_every_operation_is_checked_under_its_own_name() -> None:
    """The endpoint template passes each path parameter to path_segment with its argument name, for every
    operation the spec has now or gains later."""
    api = GENERATED / "currents-api-client" / "currents_api_client" / "api"
    calls = 0
    for module in sorted(api.rglob("*.py")):
        for node in ast.walk(ast.parse(module.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "path_segment":
                calls += 1
                argument, name = node.args
                assert isinstance(argument, ast.Name) and isinstance(name, ast.Constant)
                assert name.value == argument.id, f"{module.name}: {argument.id} is checked as {name.value!r}"
    assert calls >= 1


@pytest.mark.parametrize(
    ("value", "segment"),
    [("abc", "abc"), (42, "42"), (uuid.UUID(int=1), "00000000-0000-0000-0000-000000000001"), (2.5, "2.5")],
)
def test_path_segment_takes_every_type_a_path_parameter_can_have(value: object, segment: str) -> None:
    assert path_segment(value, "run_id") == segment


@pytest.mark.parametrize(
    ("value", "error", "message"),
    [
        (None, TypeError, "project_id must be a str, not NoneType"),
        ({"a": 1}, TypeError, "project_id must be a str, not dict"),
        ("", ValueError, "project_id must not be empty"),
    ],
)
def test_path_segment_names_the_argument_it_refuses(value: object, error: type[Exception], message: str) -> None:
    with pytest.raises(error) as raised:
        path_segment(value, "project_id")
    assert str(raised.value) == message
