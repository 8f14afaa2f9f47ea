"""Assertions and snapshots that several of the kit's tests share."""

from __future__ import annotations

import json
import socket
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

RunScript = Callable[..., subprocess.CompletedProcess[str]]
SEED_EXAMPLES = Path(__file__).resolve().parent.parent / "openapi" / "examples"


def seed_body(name: str) -> dict[str, Any]:
    """A fresh copy of the response body of a seed example: `cypress-instance` or `playwright-instance`."""
    body: dict[str, Any] = json.loads((SEED_EXAMPLES / f"{name}.json").read_text())["value"]
    return body


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file below `folder` with its bytes, caches excluded."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


def assert_one_line_error(process: subprocess.CompletedProcess[str], *fragments: str) -> None:
    """The process failed with exit status 2 and one line on stderr, no traceback, naming every fragment."""
    assert process.returncode == 2, process.stderr
    lines = process.stderr.strip().splitlines()
    assert len(lines) == 1, process.stderr
    assert "Traceback" not in process.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def free_port() -> int:
    """A loopback TCP port that nothing listens on right now (bound and released; the kernel picks it)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port
