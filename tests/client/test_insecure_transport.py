"""Plain http: an AuthenticatedClient warns once, with errors.InsecureTransportWarning, before its API key goes
over `http://` to a host that is not this machine; loopback and https stay silent. The loopback cases talk to a
real server; a non-loopback host is never contacted (the brief allows no such traffic): its requests end in an
httpx.MockTransport, behind the client's own transport layers, where the warning is raised."""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import Iterator

import httpx
import pytest
from currents_api_client import AuthenticatedClient, Client, errors
from currents_api_client.api.projects import get_project
from currents_api_client.lib._transports import is_loopback_host

from tests.client.conftest import API_KEY, ScriptedServer
from tests.client.scripted_api import Reply

PROJECT = {"status": "OK", "data": {"projectId": "Qx7Lm2", "name": "Storefront", "createdAt": "2026-01-01T00:00:00Z"}}


class Recorder:
    """An httpx transport that answers every request with a project, and records the requests it saw."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.transport = httpx.MockTransport(self.answer)

    def answer(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(200, json=PROJECT)


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def caught() -> Iterator[list[warnings.WarningMessage]]:
    with warnings.catch_warnings(record=True) as records:
        warnings.simplefilter("always")
        yield records


def insecure(records: list[warnings.WarningMessage]) -> list[warnings.WarningMessage]:
    return [r for r in records if issubclass(r.category, errors.InsecureTransportWarning)]


def test_the_warning_is_a_user_warning_exported_from_errors() -> None:
    assert issubclass(errors.InsecureTransportWarning, UserWarning)
    assert "InsecureTransportWarning" in errors.__all__
    assert not issubclass(errors.InsecureTransportWarning, errors.CurrentsError)


def test_a_key_sent_over_plain_http_to_another_host_warns_once_per_client_and_names_no_key(
    recorder: Recorder, caught: list[warnings.WarningMessage]
) -> None:
    for _ in range(2):
        client = AuthenticatedClient(
            token=API_KEY, base_url="http://api.example.com/v1", httpx_args={"transport": recorder.transport}
        )
        with client:
            for _ in range(3):
                get_project.sync("Qx7Lm2", client=client)
    found = insecure(caught)
    assert len(found) == 2  # one per client, not one per request
    assert len(recorder.requests) == 6
    text = str(found[0].message)
    assert "'api.example.com'" in text and "https://" in text and API_KEY not in text
    assert found[0].filename == __file__  # it points at the caller's line, not at the client's internals


def test_the_async_calls_of_a_client_share_its_one_warning(
    recorder: Recorder, caught: list[warnings.WarningMessage]
) -> None:
    client = AuthenticatedClient(
        token=API_KEY, base_url="http://api.example.com/v1", httpx_args={"transport": recorder.transport}
    )

    async def three_calls() -> None:
        async with client:
            for _ in range(3):
                await get_project.asyncio("Qx7Lm2", client=client)

    asyncio.run(three_calls())
    get_project.sync("Qx7Lm2", client=client)
    assert len(insecure(caught)) == 1
    assert len(recorder.requests) == 4


def test_the_warning_comes_before_the_key_is_sent_and_filterwarnings_can_make_it_an_error(
    recorder: Recorder,
) -> None:
    client = AuthenticatedClient(
        token=API_KEY, base_url="http://api.example.com/v1", httpx_args={"transport": recorder.transport}
    )
    with warnings.catch_warnings():
        warnings.filterwarnings("error", category=errors.InsecureTransportWarning)
        with pytest.raises(errors.InsecureTransportWarning):
            get_project.sync("Qx7Lm2", client=client)
    assert recorder.requests == []  # nothing went out


def test_filterwarnings_ignore_silences_it(recorder: Recorder) -> None:
    client = AuthenticatedClient(
        token=API_KEY, base_url="http://api.example.com/v1", httpx_args={"transport": recorder.transport}
    )
    with warnings.catch_warnings(record=True) as records:
        warnings.simplefilter("always")
        warnings.filterwarnings("ignore", category=errors.InsecureTransportWarning)
        get_project.sync("Qx7Lm2", client=client)
    assert insecure(records) == []
    assert len(recorder.requests) == 1


def test_plain_http_to_ipv6_loopback_is_silent(recorder: Recorder, caught: list[warnings.WarningMessage]) -> None:
    client = AuthenticatedClient(
        token=API_KEY, base_url="http://[::1]:9/v1", httpx_args={"transport": recorder.transport}
    )
    get_project.sync("Qx7Lm2", client=client)
    assert insecure(caught) == []
    assert recorder.requests[0].url.host == "::1"


@pytest.mark.parametrize("base_url", ["https://api.example.com/v1", "https://127.0.0.1:8443/v1"])
def test_https_never_warns(recorder: Recorder, caught: list[warnings.WarningMessage], base_url: str) -> None:
    client = AuthenticatedClient(token=API_KEY, base_url=base_url, httpx_args={"transport": recorder.transport})
    get_project.sync("Qx7Lm2", client=client)
    assert insecure(caught) == []
    assert len(recorder.requests) == 1


def test_a_client_without_a_key_never_warns(recorder: Recorder, caught: list[warnings.WarningMessage]) -> None:
    client = Client(base_url="http://api.example.com/v1", httpx_args={"transport": recorder.transport})
    with client:
        client.get_httpx_client().get("/projects")
    assert insecure(caught) == []


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_plain_http_to_a_real_loopback_server_is_silent(
    server: ScriptedServer, caught: list[warnings.WarningMessage], host: str
) -> None:
    server.api.script(Reply(200, PROJECT))
    base_url = server.base_url.replace("127.0.0.1", host)
    with AuthenticatedClient(token=API_KEY, base_url=base_url, max_retries=0) as client:
        assert get_project.sync("Qx7Lm2", client=client).data.project_id == "Qx7Lm2"
    assert insecure(caught) == []
    assert server.api.received[0].headers["authorization"] == f"Bearer {API_KEY}"


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("::ffff:127.0.0.1", True),
        ("localhost", True),
        ("LOCALHOST", True),
        ("localhost.", True),
        ("128.0.0.1", False),
        ("10.0.0.1", False),
        ("::2", False),
        ("0.0.0.0", False),
        ("localhost.example.com", False),
        ("api.example.com", False),
    ],
)
def test_loopback_is_127_0_0_0_8_ipv6_1_and_localhost(host: str, loopback: bool) -> None:
    assert is_loopback_host(host) is loopback
