"""`make mock` (`python -m contract_tests.mock_api`) as a user runs it: a real process on a loopback port, its
banner (URL, demo key, projects), its answers, and a clean stop on SIGINT and SIGTERM; bad ports are one line."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys

import httpx
import pytest

from contract_tests.mock_api.corpus import seed_bodies
from contract_tests.mock_api.keys import ALL_PROJECTS, KEYS_FILE, load_keys
from kit._cli import ROOT
from kit.bundle import bundle
from tests.support import free_port

KEYS = load_keys(KEYS_FILE)
DEMO_KEY = next(k.value for k in KEYS.keys if ALL_PROJECTS in k.projects)
EXTRA_KEY = "test-extra-key-0123456789"
SEEDS = seed_bodies(bundle())
SEED_ID = SEEDS["CypressInstance"]["data"]["instanceId"]
REQUEST_TIMEOUT = 5.0


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def start_cli(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "contract_tests.mock_api"],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def read_until(proc: subprocess.Popen[bytes], marker: bytes) -> bytes:
    """The process's output up to `marker`. No clock: it reads until the marker or the end of the output
    (a process that exits fails here at once; one that hangs is bounded by pytest-timeout)."""
    assert proc.stdout is not None
    output = b""
    while marker not in output:
        chunk = os.read(proc.stdout.fileno(), 4096)
        assert chunk, f"stdout closed before {marker!r}: {output!r}"
        output += chunk
    return output


def test_cli_prints_url_and_key_answers_and_stops_cleanly_on_sigint() -> None:
    port = free_port()
    proc = start_cli({"MOCK_PORT": str(port), "MOCK_API_KEY": EXTRA_KEY})
    try:
        banner = read_until(proc, b"Ctrl-C").decode()
        url = f"http://127.0.0.1:{port}/v1"
        assert url in banner
        assert EXTRA_KEY in banner
        assert f"curl -sS -H 'Authorization: Bearer {EXTRA_KEY}' {url}/instances/{SEED_ID}" in banner
        response = httpx.get(f"{url}/instances/{SEED_ID}", headers=bearer(EXTRA_KEY), timeout=REQUEST_TIMEOUT)
        assert response.status_code == 200
        served, seed = response.json(), SEEDS["CypressInstance"]
        video = served["data"]["results"].pop("videoUrl")  # artifact URLs point at the mock, signed
        assert video.startswith(f"http://127.0.0.1:{port}/artifacts/") and "X-Signature=" in video
        assert httpx.get(video, timeout=REQUEST_TIMEOUT).status_code == 200
        served["data"]["results"].pop("screenshots")
        seed = {**seed, "data": {**seed["data"], "results": dict(seed["data"]["results"])}}
        del seed["data"]["results"]["videoUrl"], seed["data"]["results"]["screenshots"]
        assert served == seed
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=15)
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == 0
    assert b"Traceback" not in stderr


def test_cli_prints_the_demo_key_without_mock_api_key() -> None:
    env = {"MOCK_PORT": str(free_port()), "MOCK_API_KEY": ""}
    proc = start_cli(env)
    try:
        assert f"API key: {DEMO_KEY}".encode() in read_until(proc, b"Ctrl-C")
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=15)
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == 0


EARLY_SIGTERM_ATTEMPTS = 4  # the handler is in place before the banner, or SIGTERM on its first byte kills the run
EARLY_SIGTERM_BATCH = 4
STOP_TIMEOUT = 60  # generous: a loaded machine is slow, never this slow


@pytest.mark.slow
def test_cli_exits_cleanly_on_sigterm_sent_as_soon_as_the_banner_starts() -> None:
    """SIGTERM on the banner's first byte, many times: each run exits 0, without a traceback.

    The banner is printed while the mock is still starting, so the handler must be in place before it."""
    outcomes = []
    for _ in range(EARLY_SIGTERM_ATTEMPTS // EARLY_SIGTERM_BATCH):
        # PYTHONFAULTHANDLER: a run that does not stop is sent SIGABRT, which dumps where it hangs.
        env = {"MOCK_PORT": "0", "MOCK_API_KEY": "", "PYTHONFAULTHANDLER": "1"}
        procs = [start_cli(env) for _ in range(EARLY_SIGTERM_BATCH)]
        try:
            for proc in procs:
                read_until(proc, b"Mock Currents API on ")
                proc.send_signal(signal.SIGTERM)
            for proc in procs:
                try:
                    _, stderr = proc.communicate(timeout=STOP_TIMEOUT)
                except subprocess.TimeoutExpired:
                    proc.send_signal(signal.SIGABRT)
                    _, stderr = proc.communicate(timeout=STOP_TIMEOUT)
                outcomes.append((proc.returncode, stderr.decode(errors="replace")[-3000:]))
        finally:
            for proc in procs:
                proc.kill()
                proc.wait()
    failed = [outcome for outcome in outcomes if outcome[0] != 0 or "Traceback" in outcome[1]]
    assert not failed, f"{len(failed)} of {len(outcomes)} runs did not exit cleanly: {failed[:3]}"


@pytest.mark.parametrize("port", ["abc", "70000", "-1", "4010.5"])
def test_cli_bad_mock_port_is_one_line_on_stderr_and_exit_2(port: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "contract_tests.mock_api"],
        cwd=ROOT,
        env={**os.environ, "MOCK_PORT": port},
        capture_output=True,
        timeout=30,
    )
    assert result.returncode == 2
    lines = result.stderr.decode().splitlines()
    assert len(lines) == 1 and "MOCK_PORT" in lines[0], lines
    assert result.stdout == b""


def test_cli_port_in_use_is_one_line_on_stderr_and_exit_2() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "contract_tests.mock_api"],
            cwd=ROOT,
            env={**os.environ, "MOCK_PORT": str(port)},
            capture_output=True,
            timeout=30,
        )
    assert result.returncode == 2
    lines = result.stderr.decode().splitlines()
    assert len(lines) == 1 and str(port) in lines[0], lines
