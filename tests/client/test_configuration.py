"""The client's constructor and its defaults: production by default, or from the environment."""

from __future__ import annotations

import pytest
from currents_api_client import AuthenticatedClient, errors
from currents_api_client.client import DEFAULT_BASE_URL

from scripts.bundle import bundle
from tests.client.conftest import API_KEY


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
