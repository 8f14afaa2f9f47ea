"""Fixtures of the history tests: one mock per module, what it answered (`Harvest`) and a store built from it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from contract_tests.conftest import demo_key
from contract_tests.mock_api.app import MockApi, create_app
from contract_tests.mock_api.server import serve_in_thread
from tests.history.store_builder import Harvest, build_store, harvest


@pytest.fixture(scope="module")
def mock_app() -> MockApi:
    return create_app()


@pytest.fixture(scope="module")
def mock_url(mock_app: MockApi) -> Iterator[str]:
    with serve_in_thread(mock_app) as url:
        yield url


@pytest.fixture(scope="module")
def answers(mock_url: str) -> Harvest:
    return harvest(mock_url, demo_key())


@pytest.fixture(scope="module")
def store(answers: Harvest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("history") / "history.duckdb"
    build_store(path, answers)
    return path
