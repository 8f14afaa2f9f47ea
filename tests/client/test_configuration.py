"""The client's constructor and its defaults (production by default, or from the environment), and the with_*
builders, which return independent clients."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from currents_api_client import AuthenticatedClient, errors
from currents_api_client.api.instances import get_instance
from currents_api_client.client import DEFAULT_BASE_URL, DEFAULT_DEADLINE, DEFAULT_MAX_RESPONSE_SIZE, DEFAULT_TIMEOUT

from kit.bundle import bundle
from tests.client.conftest import API_KEY, ScriptedServer


def test_base_url_defaults_to_production_the_spec_first_server() -> None:
    assert DEFAULT_BASE_URL == bundle()["servers"][0]["url"] == "https://api.currents.dev/v1"
    assert str(AuthenticatedClient(token=API_KEY).get_httpx_client().base_url) == "https://api.currents.dev/v1/"


def test_from_env_reads_the_key_and_the_default_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CURRENTS_API_KEY", API_KEY)
    monkeypatch.delenv("CURRENTS_API_URL", raising=False)
    client = AuthenticatedClient.from_env()
    assert client.token == API_KEY
    assert str(client.get_httpx_client().base_url) == "https://api.currents.dev/v1/"


def test_from_env_reads_the_url_when_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CURRENTS_API_KEY", API_KEY)
    monkeypatch.setenv("CURRENTS_API_URL", "https://api-staging.currents.dev/v1")
    client = AuthenticatedClient.from_env(max_retries=1)
    assert str(client.get_httpx_client().base_url) == "https://api-staging.currents.dev/v1/"
    assert client.max_retries == 1


@pytest.mark.parametrize("value", [None, "", "   "], ids=["unset", "empty", "blank"])
def test_from_env_without_a_key_is_a_clear_error_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, value: str | None
) -> None:
    if value is None:
        monkeypatch.delenv("CURRENTS_API_KEY", raising=False)
    else:
        monkeypatch.setenv("CURRENTS_API_KEY", value)
    with pytest.raises(errors.MissingAPIKeyError, match="CURRENTS_API_KEY is not set"):
        AuthenticatedClient.from_env()


def test_with_headers_returns_an_independent_client_and_leaves_the_original_alone(server: ScriptedServer) -> None:
    original = AuthenticatedClient(token=API_KEY, base_url=server.base_url, headers={"X-Team": "qa"}, max_retries=0)
    with original:
        live_headers = dict(original.get_httpx_client().headers)
        derived = original.with_headers({"X-Team": "platform", "X-Extra": "1"})
        with derived:
            get_instance.sync_detailed("a", client=derived)
        get_instance.sync_detailed("b", client=original)
        assert dict(original.get_httpx_client().headers) == live_headers
    assert derived.get_httpx_client() is not original.get_httpx_client()
    sent_by_derived, sent_by_original = server.api.received
    assert sent_by_derived.headers["x-team"] == "platform" and sent_by_derived.headers["x-extra"] == "1"
    assert sent_by_original.headers["x-team"] == "qa" and "x-extra" not in sent_by_original.headers
    assert "X-Extra" not in repr(original)


def test_with_cookies_returns_an_independent_client_and_leaves_the_original_alone(server: ScriptedServer) -> None:
    original = AuthenticatedClient(token=API_KEY, base_url=server.base_url, cookies={"a": "1"}, max_retries=0)
    with original:
        original.get_httpx_client()
        derived = original.with_cookies({"b": "2"})
        with derived:
            get_instance.sync_detailed("a", client=derived)
        get_instance.sync_detailed("b", client=original)
        assert dict(original.get_httpx_client().cookies) == {"a": "1"}
    sent_by_derived, sent_by_original = server.api.received
    assert sorted(sent_by_derived.headers["cookie"].split("; ")) == ["a=1", "b=2"]
    assert sent_by_original.headers["cookie"] == "a=1"


def test_with_timeout_returns_an_independent_client_and_leaves_the_original_alone() -> None:
    original = AuthenticatedClient(token=API_KEY)
    live = original.get_httpx_client()
    derived = original.with_timeout(httpx.Timeout(1.0))
    assert live.timeout == DEFAULT_TIMEOUT
    assert derived.get_httpx_client().timeout == httpx.Timeout(1.0)


def test_with_headers_on_an_async_client_leaves_the_original_alone() -> None:
    async def check() -> None:
        async with AuthenticatedClient(token=API_KEY, headers={"X-Team": "qa"}) as original:
            original.with_headers({"X-Team": "platform"})
            assert original.get_async_httpx_client().headers["x-team"] == "qa"

    asyncio.run(check())


def test_the_limits_default_to_generous_values() -> None:
    client = AuthenticatedClient(token=API_KEY)
    assert client.deadline == DEFAULT_DEADLINE == 120.0
    assert client.max_response_size == DEFAULT_MAX_RESPONSE_SIZE == 256 * 1024 * 1024
