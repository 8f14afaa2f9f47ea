"""Fixtures that tests/ and contract_tests/ share: a throwaway copy of the project, and a way to run its scripts."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from scripts._cli import ROOT
from tests.support import RunScript

# What a script needs to run in a copy of the project: its sources, not .venv or caches.
PROJECT_PARTS = (
    "scripts",
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

# How `make test` shares the tests between its two pytest-xdist workers (`--dist loadgroup
# --no-loadscope-reorder`). The tests of one file run on one worker, in order, so that a module-scoped wheel,
# virtualenv or server is set up once; except in the files below, whose tests each build their own project
# copy, checkout and servers and share nothing at module level: those are handed out test by test, so that
# their long runs of schemathesis and make do not queue on one worker. Work holding a `slow` test is handed
# out first, so that no long test starts last while the other worker idles.
SPREAD_TEST_BY_TEST = frozenset(
    {
        "contract_tests/test_contract_run.py",
        "contract_tests/test_checks_catch_a_broken_mock.py",
        "tests/workflows/test_workflow_steps.py",
        "tests/test_generate.py",
        "tests/test_check_generated.py",
    }
)


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the xdist_group marks
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    units: dict[str, list[pytest.Item]] = {}
    for item in items:
        path = item.path.relative_to(config.rootpath).as_posix()
        if path in SPREAD_TEST_BY_TEST:
            units.setdefault(item.nodeid, []).append(item)
        else:
            item.add_marker(pytest.mark.xdist_group(path))
            units.setdefault(path, []).append(item)
    ordered = sorted(units.values(), key=lambda unit: not any(item.get_closest_marker("slow") for item in unit))
    items[:] = [item for unit in ordered for item in unit]


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
            timeout=120,
            check=False,
        )

    return run
