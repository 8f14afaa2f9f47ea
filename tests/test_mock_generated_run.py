"""`make mock`'s generated run is an ordinary run of the mock's world, over real HTTP to the real `make mock`
process: its project is listed and readable, the run is among the project's runs, the keys' scopes answer 403
where they refuse, lowercase `bearer` works as `Bearer`, and cancel and delete act on it as on any run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest

from contract_tests.mock_api.generated_run import DEFAULT_RUN_ID
from kit._cli import ROOT
from tests.mock_support import DEMO_KEY, LIMITED_KEY, READ_ONLY_KEY, REQUEST_TIMEOUT, check_response
from tests.support import free_port

PROJECT = "Qx7Lm2"  # the project of the generated run's template (contract_tests/fixtures/runs/)
SIZE = 3


@pytest.fixture(scope="module")
def banner_and_url() -> Iterator[tuple[str, str]]:
    port = free_port()
    env = {**os.environ, "MOCK_PORT": str(port), "MOCK_RUN_SIZE": str(SIZE), "MOCK_API_KEY": ""}
    process = subprocess.Popen(
        [sys.executable, "-m", "contract_tests.mock_api"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None
    banner = b""
    try:
        while b"Ctrl-C" not in banner:  # no clock: a mock that exits ends the output; a hang, pytest-timeout
            chunk = os.read(process.stdout.fileno(), 4096)
            assert chunk, banner + (process.stderr.read() if process.stderr else b"")
            banner += chunk
        yield banner.decode(), f"http://127.0.0.1:{port}/v1"
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=60)


def call(url: str, method: str, path: str, key: str, scheme: str = "Bearer") -> httpx.Response:
    response = httpx.request(method, url + path, headers={"Authorization": f"{scheme} {key}"}, timeout=REQUEST_TIMEOUT)
    check_response(response)  # every answer as the spec documents it
    return response


def test_the_banner_names_every_project_with_its_runs_and_the_generated_runs_project(
    banner_and_url: tuple[str, str],
) -> None:
    banner, url = banner_and_url
    listed = call(url, "GET", "/projects", DEMO_KEY).json()["data"]
    assert {p["projectId"] for p in listed} >= {PROJECT, "Prj7Qa"}
    for project in listed:
        runs = call(url, "GET", f"/projects/{project['projectId']}/runs?limit=50", DEMO_KEY).json()["data"]
        count = len(runs)
        assert f"  {project['projectId']}: {project['name']}, {count} run{'' if count == 1 else 's'}\n" in banner
    assert f"A generated run of {SIZE} instances: {DEFAULT_RUN_ID} (project {PROJECT})" in banner


def test_the_generated_runs_project_is_listed_readable_and_lists_the_run(banner_and_url: tuple[str, str]) -> None:
    _, url = banner_and_url
    assert PROJECT in {p["projectId"] for p in call(url, "GET", "/projects", DEMO_KEY).json()["data"]}
    assert call(url, "GET", f"/projects/{PROJECT}", DEMO_KEY).json()["data"]["projectId"] == PROJECT
    runs = call(url, "GET", f"/projects/{PROJECT}/runs", DEMO_KEY).json()["data"]
    assert [r["runId"] for r in runs] == [DEFAULT_RUN_ID]
    run = call(url, "GET", f"/runs/{DEFAULT_RUN_ID}", DEMO_KEY).json()["data"]
    assert run["projectId"] == PROJECT and len(run["specs"]) == SIZE
    for spec in run["specs"]:
        assert call(url, "GET", f"/instances/{spec['instanceId']}", DEMO_KEY).status_code == 200


def test_the_keys_scopes_and_either_spelling_of_bearer_apply_to_the_generated_run(
    banner_and_url: tuple[str, str],
) -> None:
    _, url = banner_and_url
    run, instance = f"/runs/{DEFAULT_RUN_ID}", f"/instances/{DEFAULT_RUN_ID}-i00000"
    for path in (run, instance, f"/projects/{PROJECT}"):
        assert call(url, "GET", path, DEMO_KEY, scheme="bearer").status_code == 200, path
        assert call(url, "GET", path, READ_ONLY_KEY).status_code == 200, path
        assert call(url, "GET", path, LIMITED_KEY).status_code == 403, path  # not its project: 403, not 401
        assert call(url, "GET", path, "not-a-key-of-the-mock").status_code == 401, path
    for method, path in (("PUT", f"{run}/cancel"), ("DELETE", run)):
        assert call(url, method, path, READ_ONLY_KEY).status_code == 403, path  # may read, may not write
        assert call(url, method, path, LIMITED_KEY).status_code == 403, path


def test_cancel_then_delete_act_on_the_generated_run_as_on_any_run(banner_and_url: tuple[str, str]) -> None:
    _, url = banner_and_url
    run = f"/runs/{DEFAULT_RUN_ID}"
    assert call(url, "PUT", f"{run}/cancel", DEMO_KEY, scheme="bearer").status_code == 200
    assert call(url, "GET", run, DEMO_KEY).json()["data"]["completionState"] == "CANCELED"
    assert call(url, "PUT", f"{run}/cancel", DEMO_KEY).status_code == 422  # already cancelled, as documented
    assert call(url, "DELETE", run, DEMO_KEY).status_code == 200
    assert call(url, "GET", run, DEMO_KEY).status_code == 404
    assert call(url, "GET", f"/instances/{DEFAULT_RUN_ID}-i00000", DEMO_KEY).status_code == 404
    assert call(url, "GET", f"/projects/{PROJECT}/runs", DEMO_KEY).json()["data"] == []
