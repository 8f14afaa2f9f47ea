"""`currents-api webhooks listen`, as a real subprocess: piped, each verified delivery is one JSON line of the
event as sent, a refused one is answered 401/400 and one `refused` line on standard error, and SIGTERM stops it
(143); on a terminal the line is readable with server text printed literally; without a secret, or with a
secret and --no-secret, it refuses to start (exit 2). The secret, from CURRENTS_WEBHOOK_SECRET, is never printed."""

from __future__ import annotations

import json
import os
import pty
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

import httpx
import pytest
from currents_api_client import strip_ansi

from scripts.spec.payload_fixtures import load_delivery_fixtures
from tests.lib.cli_support import SCRIPT, TIMEOUT, assert_one_error_line

pytestmark = pytest.mark.slow  # the end-to-end tier: `make test-e2e`

SECRET = "listen-secret-0123456789abcdef"
HEADER = "X-Currents-Secret"
FIXTURES = {f.path.stem: f for f in load_delivery_fixtures()}
LISTENING = re.compile(r"listening on (http://127\.0\.0\.1:\d+/) \(checking X-Currents-Secret; Ctrl-C to stop\)")


def environment(secret: str | None = SECRET) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CURRENTS_")}
    if secret is not None:
        env["CURRENTS_WEBHOOK_SECRET"] = secret
    return env


def deliver(url: str, body: bytes, secret: str = SECRET) -> httpx.Response:
    return httpx.post(url, content=body, headers={HEADER: secret, "x-timestamp": str(int(time.time()))})


@dataclass
class Listener:
    process: subprocess.Popen[str]
    url: str
    stderr: list[str]

    def line(self, stream: IO[str]) -> str:
        text = stream.readline()
        assert text, "the listener closed its output"
        return text


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    process = subprocess.Popen(
        [SCRIPT, "webhooks", "listen", "--port", "0", "--secret-header", HEADER],
        env=environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stderr is not None
        first = process.stderr.readline()
        match = LISTENING.fullmatch(first.strip())
        assert match, first
        yield Listener(process, match.group(1), [first])
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(TIMEOUT)


def test_a_verified_delivery_is_one_json_line_of_the_event(listener: Listener) -> None:
    fixture = FIXTURES["run-finish-multigroup"]
    assert deliver(listener.url, fixture.path.read_bytes()).status_code == 202
    assert listener.process.stdout is not None
    assert json.loads(listener.line(listener.process.stdout)) == fixture.body


def test_a_refused_delivery_is_answered_and_told_on_standard_error(listener: Listener) -> None:
    answer = deliver(listener.url, FIXTURES["run-start-docs-example"].path.read_bytes(), secret="wrong")
    assert answer.status_code == 401
    assert listener.process.stderr is not None
    line = listener.line(listener.process.stderr)
    listener.stderr.append(line)
    assert line == f"refused (401): the secret header {HEADER} does not match the secret\n"


def test_sigterm_stops_it_and_the_secret_was_never_printed(listener: Listener) -> None:
    listener.process.send_signal(signal.SIGTERM)
    out, err = listener.process.communicate(timeout=TIMEOUT)
    assert listener.process.returncode == 143
    everything = out + err + "".join(listener.stderr)
    assert SECRET not in everything and "Traceback" not in everything
    assert err.strip() == "terminated"


def test_on_a_terminal_the_line_is_readable_and_server_text_literal() -> None:
    body = {**FIXTURES["run-start-docs-example"].body, "buildId": "b\x1b[31m[bold]1[/bold]", "groupId": "g\u202e"}
    main, child = pty.openpty()
    process = subprocess.Popen(
        [SCRIPT, "webhooks", "listen", "--port", "0", "--secret-header", HEADER],
        env={**environment(), "COLUMNS": "200"},
        stdin=child,
        stdout=child,
        stderr=child,
    )
    os.close(child)
    written = b""
    try:
        while b"Ctrl-C to stop)" not in written:
            chunk = os.read(main, 4096)
            assert chunk, written
            written += chunk
        match = LISTENING.search(strip_ansi(written.decode()))
        assert match
        assert deliver(match.group(1), json.dumps(body).encode()).status_code == 202
        while b"skipped" not in written:
            chunk = os.read(main, 4096)
            assert chunk, written
            written += chunk
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(TIMEOUT)
        os.close(main)
    shown = strip_ansi(written.decode())
    expected = (
        "RUN_START https://app.currents.dev/run/950a13c3edf4f28b6e8ce301a404b4aa build b\\x1b[31m[bold]1[/bold]"
        " group g\\u202e: 1 passed, 0 failed, 0 flaky, 0 skipped"
    )
    assert expected in shown and "\x1b[31m" not in written.decode()
    assert SECRET not in shown


@pytest.mark.parametrize(
    ("args", "secret", "fragment"),
    [
        ([], None, "no secret: set $CURRENTS_WEBHOOK_SECRET"),
        (["--no-secret"], SECRET, "--no-secret with a secret"),
        ([], SECRET, "--secret-header is required"),
        (["--secret-header", HEADER, "--port", "70000"], SECRET, "--port must be from 0 to 65535"),
    ],
    ids=["no-secret", "secret-and-no-secret", "no-header", "bad-port"],
)
def test_a_listener_it_cannot_start_is_one_usage_line(args: list[str], secret: str | None, fragment: str) -> None:
    process = subprocess.run(
        [SCRIPT, "webhooks", "listen", *args], env=environment(secret), capture_output=True, text=True, timeout=TIMEOUT
    )
    assert_one_error_line(process, 2, fragment)
    assert SECRET not in process.stderr


def test_without_the_webhooks_extra_it_says_what_to_install() -> None:
    blocked = "import sys; sys.modules['uvicorn'] = None; from currents_api_client.lib.cli import main; main()"
    args = ["webhooks", "listen", "--secret-header", HEADER]
    process = subprocess.run(
        [sys.executable, "-c", blocked, *args], env=environment(), capture_output=True, text=True, timeout=TIMEOUT
    )
    assert_one_error_line(process, 2, "needs the webhooks extra (uvicorn is missing)", "[cli,webhooks]")
