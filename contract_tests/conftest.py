"""Fixtures of the contract tests: the embedded mock API on a free loopback port, and the keys it accepts."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from contract_tests.mock_api.app import create_app
from contract_tests.mock_api.keys import load_keys
from contract_tests.mock_api.server import serve_in_thread


def demo_key() -> str:
    """The mock's key that may read every project."""
    key = load_keys().first_with_every_project()
    assert key is not None, "keys.yaml needs a key with projects: ['*']"
    return key.value


@pytest.fixture(scope="session")
def mock_api() -> Iterator[str]:
    """The mock Currents API, served for the whole session; yields its base URL (`http://127.0.0.1:PORT/v1`)."""
    with serve_in_thread(create_app()) as base_url:
        yield base_url
