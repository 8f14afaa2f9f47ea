"""What the history store's commands share (`lib/cli_store.py`): without the `history` extra, `sync`, `flaky`
and `dataset` each say in one line what to install, exit 2 and write nothing; each has the same `--db`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.lib.cli_support import SCRIPT, TIMEOUT, assert_one_error_line, environment

# The console script in a Python where `import duckdb` fails, as where the extra is not installed.
WITHOUT_DUCKDB = "import sys; sys.modules['duckdb'] = None; from currents_api_client.lib.cli import main; main()"
COMMANDS = {"sync": ["sync"], "flaky": ["flaky"], "dataset": ["dataset", "out"]}


@pytest.mark.parametrize("command", COMMANDS)
def test_without_the_history_extra_each_store_command_says_what_to_install_in_one_line(
    command: str, tmp_path: Path
) -> None:
    process = subprocess.run(
        [sys.executable, "-c", WITHOUT_DUCKDB, *COMMANDS[command]],
        env=environment("http://127.0.0.1:1"),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert_one_error_line(process, 2)
    assert process.stderr.strip() == (
        f"error: currents-api {command} needs the history extra (duckdb is missing): "
        "pip install 'currents-api-client[cli,history]'"
    )
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", COMMANDS)
def test_every_store_command_documents_the_same_db_option(command: str) -> None:
    process = subprocess.run(
        [SCRIPT, command, "--help"],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert process.returncode == 0, process.stderr
    assert "--db PATH" in process.stdout
    assert "the history store (default currents-history.duckdb)" in " ".join(process.stdout.split())
