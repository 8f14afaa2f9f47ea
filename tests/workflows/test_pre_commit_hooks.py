"""The hooks of .pre-commit-config.yaml run ruff, the spec check and the drift guard on a commit's files."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from kit._cli import ROOT

pytestmark = pytest.mark.slow  # the end-to-end tier: `make test-e2e`

PRE_COMMIT = ROOT / ".venv" / "bin" / "pre-commit"


def git(checkout: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=checkout, check=True, capture_output=True
    )


def test_hooks_catch_a_broken_spec_and_unformatted_code_in_the_files_touched(
    fresh_checkout: Path, tmp_path: Path
) -> None:
    git(fresh_checkout, "init", "-q")
    git(fresh_checkout, "add", "-A")
    git(fresh_checkout, "commit", "-qm", "base")
    spec = fresh_checkout / "openapi" / "currents.yaml"
    spec.write_text(spec.read_text().replace("openapi: 3.1.0", "openapi: 9.9.9", 1))
    (fresh_checkout / "scripts" / "unformatted.py").write_text("x=( 1 ,2 )\n")
    git(fresh_checkout, "add", "-A")

    completed = subprocess.run(
        [str(PRE_COMMIT), "run"],  # the staged files, as on `git commit`
        cwd=fresh_checkout,
        env={**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert completed.returncode == 1, completed.stdout + completed.stderr
    results = {
        line.split("...")[0].strip(): line.rsplit(".", 1)[-1].strip()
        for line in completed.stdout.splitlines()
        if "...." in line
    }
    assert results["ruff check"] == "Passed"
    assert results["ruff format --check"] == "Failed"
    assert results["spec check (make check-spec)"] == "Failed"
    assert results["drift guard (make check-generated)"] == "Failed"  # generated/openapi.json no longer matches
    assert "openapi/currents.yaml" in completed.stdout
