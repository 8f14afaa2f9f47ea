"""Every test has a bound: a test that hangs fails, named, instead of stalling `make test` or CI (pytest-timeout)."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from kit._cli import ROOT

pytestmark = pytest.mark.slow  # the end-to-end tier: `make test-e2e`

HANGING_TEST = """
def test_that_never_ends():
    while True:
        pass


def test_after_it():
    assert True
"""


def test_the_project_bounds_every_test_by_a_generous_default() -> None:
    options = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    assert options["timeout"] == 300
    dev = tomllib.loads((ROOT / "pyproject.toml").read_text())["dependency-groups"]["dev"]
    assert any(pin.startswith("pytest-timeout==") for pin in dev)


def test_a_test_that_hangs_fails_under_the_projects_pytest_config_and_the_run_goes_on(tmp_path: Path) -> None:
    (tmp_path / "test_hang.py").write_text(HANGING_TEST)
    # The project's own configuration, with its bound lowered to 2 s so that this check is quick.
    config = ["-c", str(ROOT / "pyproject.toml"), "--rootdir", str(tmp_path), "-p", "no:xdist", "-o", "timeout=2"]
    process = subprocess.run(
        [sys.executable, "-m", "pytest", *config, str(tmp_path / "test_hang.py")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert process.returncode == 1, process.stdout + process.stderr
    assert "Timeout" in process.stdout
    assert "FAILED test_hang.py::test_that_never_ends" in process.stdout
    assert "1 failed, 1 passed" in process.stdout
