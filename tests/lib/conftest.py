"""Fixtures of the CLI tests: the mock with generated runs and signed artifacts, and a scripted API, on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from contract_tests.conftest import demo_key
from contract_tests.mock_api.app import create_app
from contract_tests.mock_api.artifacts import ArtifactSigner, serve_artifacts
from contract_tests.mock_api.generated_run import GeneratedRun, serve_generated_run
from contract_tests.mock_api.server import serve_in_thread
from tests.client.conftest import ScriptedServer
from tests.client.scripted_api import ScriptedAPI


@pytest.fixture(scope="module")
def run() -> GeneratedRun:
    return GeneratedRun.build(6)


@pytest.fixture(scope="module")
def broken_run() -> GeneratedRun:
    return GeneratedRun.build(3, unclaimed=1, missing=1, run_id="brokenrun0000001")


@pytest.fixture(scope="module")
def signer() -> ArtifactSigner:
    return ArtifactSigner(ttl_seconds=600, stale_first_issue=True)


@pytest.fixture(scope="module")
def mock(run: GeneratedRun, broken_run: GeneratedRun, signer: ArtifactSigner) -> Iterator[str]:
    app = serve_generated_run(serve_generated_run(create_app(), run, [demo_key()]), broken_run, [demo_key()])
    with serve_in_thread(serve_artifacts(app, signer)) as url:
        yield url


@pytest.fixture(scope="module")
def server() -> Iterator[ScriptedServer]:
    api = ScriptedAPI()
    with serve_in_thread(api) as url:
        yield ScriptedServer(api, url)
