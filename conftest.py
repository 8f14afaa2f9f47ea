"""Fixtures that tests/ and contract_tests/ share: a throwaway copy of the project, and a way to run its scripts."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kit._cli import ROOT
from tests.support import RunScript

# What a script needs to run in a copy of the project: its sources, not .venv or caches.
PROJECT_PARTS = (
    "scripts",
    "kit",
    "openapi",
    "overlays",
    "generator",
    "generated",
    "contract_tests",
    "pyproject.toml",
    "schemathesis.toml",
    "LICENSE",
    "CHANGELOG.md",
)
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", ".mypy_cache", ".ruff_cache", "*.egg-info")


# How `make test` shares the tests between its two pytest-xdist workers (`--dist loadfile
# --no-loadscope-reorder`): a file's tests run on one worker, in order, so that a module-scoped wheel,
# virtualenv or server is set up once; and files are handed out in the order below. Files with the most
# `slow` tests go first, so that the long ones (schemathesis runs, the wheel's virtualenv, the browser) start
# early and no long file starts last while the other worker idles; xdist's default order (most tests
# first) queued them behind hundreds of quick unit tests. (`--dist loadgroup` could spread a file test by
# test, but pytest-xdist 3.8 cannot rename the node ids of pytest 9, so its groups have no effect.)
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    files: dict[Path, list[pytest.Item]] = {}
    for item in items:
        files.setdefault(item.path, []).append(item)

    def slow_tests(tests: list[pytest.Item]) -> int:
        return len({getattr(item, "originalname", item.name) for item in tests if item.get_closest_marker("slow")})

    ordered = sorted(files.values(), key=slow_tests, reverse=True)  # stable: otherwise in collection order
    items[:] = [item for tests in ordered for item in tests]


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """A copy of the project's sources, to break and regenerate without touching the real tree."""
    copy = tmp_path / "project"
    copy.mkdir()
    for part in PROJECT_PARTS:
        source = ROOT / part
        if source.is_dir():
            shutil.copytree(source, copy / part, ignore=IGNORE)
        else:
            shutil.copy2(source, copy / part)
    return copy


# A guard against a script that hangs, not a budget: a whole `make contract` run took more than 120 s on a 2-core
# machine under load. Kept below pytest-timeout's 300 s, so that the failure names the script.
SCRIPT_BOUND = 280


@pytest.fixture
def run_script() -> RunScript:
    """Run `python -m scripts.<name> ...` in a project folder, as `make` does; returns the completed process."""

    def run(
        module: str, *args: str, cwd: Path = ROOT, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", f"scripts.{module}", *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            env={**os.environ, **(env or {})},
            timeout=SCRIPT_BOUND,
            check=False,
        )

    return run
