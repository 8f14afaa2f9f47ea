"""Helpers of the CLI tests: the installed console script run in a subprocess, piped or on a pseudo-terminal."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

from currents_api_client import strip_ansi

from contract_tests.conftest import demo_key
from contract_tests.mock_api.app import create_app
from contract_tests.mock_api.generated_run import GeneratedRun, serve_generated_run
from contract_tests.mock_api.server import serve_in_thread
from tests.client.scripted_api import Reply
from tests.lib.test_records import FIXTURES

SCRIPT = Path(sys.executable).with_name("currents-api")
PW_V2 = "7Hq2mXw9LpR4sTz1"
TIMEOUT = 120


def signals_as_a_shell_leaves_them() -> None:
    """`preexec_fn` of a CLI that a test signals: the child starts with no signal blocked and Ctrl-C at its
    default, as from a shell. A mask or an ignored SIGINT is inherited across exec, and a test that ran before
    in the same worker (or the worker itself) may leave either; the CLI then rightly never sees the signal."""
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def environment(base_url: str, key: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CURRENTS_")}
    env.update(CURRENTS_API_URL=base_url, CURRENTS_API_KEY=key or demo_key(), COLUMNS="160")
    return env


def cli(base_url: str, *args: str, key: str | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The console script with stdout and stderr piped."""
    return subprocess.run(
        [SCRIPT, *args], env=environment(base_url, key), cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT
    )


def cli_on_terminal(base_url: str, *args: str, cwd: Path) -> tuple[int, str]:
    """The console script on a pseudo-terminal (stdout and stderr both); its exit status and everything it wrote,
    without colours."""
    main, child = pty.openpty()
    process = subprocess.Popen(
        [SCRIPT, *args], env=environment(base_url), cwd=cwd, stdin=child, stdout=child, stderr=child
    )
    os.close(child)
    chunks = []
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(main)
    return process.wait(timeout=TIMEOUT), strip_ansi(b"".join(chunks).decode("utf-8", "replace"))


def assert_one_error_line(process: subprocess.CompletedProcess[str], status: int, *fragments: str) -> None:
    assert process.returncode == status, process.stderr
    assert "Traceback" not in process.stderr
    lines = process.stderr.strip().splitlines()
    assert len(lines) == 1, process.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


RUN_PAGES = FIXTURES / "runs"


def page(name: str) -> Reply:
    return Reply(200, json.loads((RUN_PAGES / name).read_text()))


def cli_on_pty(base_url: str, *args: str, cwd: Path, columns: int = 160, key: str | None = None) -> tuple[int, bytes]:
    """The console script on a pseudo-terminal of `columns` columns; its exit status and the raw bytes it wrote."""
    main, child = pty.openpty()
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    env = {**environment(base_url, key), "COLUMNS": str(columns)}
    process = subprocess.Popen([SCRIPT, *args], env=env, cwd=cwd, stdin=child, stdout=child, stderr=child)
    os.close(child)
    chunks = []
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(main)
    return process.wait(timeout=TIMEOUT), b"".join(chunks)


def interrupt_mid_export(run_id: str, export: str, signum: int, cwd: Path) -> tuple[int, str]:
    """`currents-api run RUN --export EXPORT` on a generated run of 40 instances, sent `signum` while the mock
    holds its third instance answer (a count, never a delay: a busy machine cannot let the export finish
    first). Returns the exit status and standard error."""
    slow = GeneratedRun.build(40, run_id=run_id)
    app = serve_generated_run(create_app(), slow, [demo_key()], hold_after=2)
    with serve_in_thread(app) as url:
        process = subprocess.Popen(
            [SCRIPT, "run", slow.run_id, "--export", export, "--concurrency", "2"],
            env=environment(url),
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            preexec_fn=signals_as_a_shell_leaves_them,
        )
        try:
            deadline = time.monotonic() + TIMEOUT
            while slow.instance_requests < 3 and time.monotonic() < deadline:  # in the middle of the run
                time.sleep(0.05)
            process.send_signal(signum)
            _, stderr = process.communicate(timeout=TIMEOUT)
        finally:
            slow.release()
    return process.returncode, stderr
