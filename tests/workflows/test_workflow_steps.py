"""Each workflow's `run:` steps, in order, as plain bash scripts in a fresh checkout: the YAML's commands work.

GitHub Actions cannot run here, so the steps run with local stand-ins for what GitHub provides:
- the checkout: the project's tracked and new files (`git ls-files --cached --others --exclude-standard`),
  copied with their times into an empty folder, as a clone of the working tree would hold them;
- `actions/setup-python` and its pip cache: `.venv` linked to this checkout's, whose pinned tools are
  installed already (its stamp is newer than pyproject.toml, so `make` installs nothing);
- the `${{ }}` expressions of `env:`: the local values of `stand_ins`; an expression missing there fails;
- `GITHUB_STEP_SUMMARY`, `GITHUB_WORKSPACE` and `CI`: a file, the checkout and `true`;
- `uses:` steps are GitHub's own actions and are not run (test_workflow_properties.py checks their inputs).
Each step runs as GitHub runs a `shell: bash` step: `bash --noprofile --norc -eo pipefail script`.

Two substitutions, because this test is itself part of CI's tests: ci.yml's `make test` and `make test-e2e`
lines run as `make --dry-run test` and `make --dry-run test-e2e`, which resolve the target and every
prerequisite and print their commands without running them (running them would run this test again, without
end). The test checks that these are the only lines it changes. `make contract` runs for real in both
workflows; contract-live.yml's runs against the mock posing as the real API, which echoes the key back in every
body, and neither the job summary nor reports/summary.md may hold the key.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from contract_tests.conftest import demo_key
from contract_tests.mock_api.app import create_app
from contract_tests.mock_api.server import serve_in_thread
from kit.fixtures import load_fixtures
from tests.test_summary import assert_summary_matches_reports
from tests.workflows.echoing_api import EchoingApi
from tests.workflows.test_workflow_properties import load

# The lines that would run this test again, and what runs instead: make resolves each target and prints its commands.
RECURSIVE = {"make test": "make --dry-run test", "make test-e2e": "make --dry-run test-e2e"}
# The steps are under test, not the mock: ci.yml's `make contract` runs its examples phase with one example per
# operation (every operation, so every report is written). The mock-mode test of contract_tests/test_contract_run.py
# runs every phase, and `make contract` itself is CI's first step.
CI_CONTRACT_BOUNDS = {"CONTRACT_PHASES": "examples", "CONTRACT_MAX_EXAMPLES": "1"}
GITHUB_BASH = ["bash", "--noprofile", "--norc", "-eo", "pipefail"]
# GitHub's and the coding tools' own variables never leak into a step from this process.
DROPPED = ("GITHUB_", "CURRENTS_", "CONTRACT_", "MOCK_", "PYTEST_", "MAKEFLAGS", "MAKELEVEL", "MFLAGS")


@pytest.fixture
def echoing_mock() -> Iterator[str]:
    with serve_in_thread(EchoingApi(create_app())) as url:
        yield url


def run_steps(
    workflow: str, checkout: Path, stand_ins: dict[str, str], summary: Path, bounds: dict[str, str] | None = None
) -> list[str]:
    """Run the `run:` steps of the workflow's one job in order; returns the scripts as run. `bounds` are
    variables every step sees besides the workflow's own (the size of a `make contract` run)."""
    document = load(workflow)
    (job,) = document["jobs"].values()
    base = {k: v for k, v in os.environ.items() if not k.startswith(DROPPED)} | (bounds or {})
    github = {"CI": "true", "GITHUB_WORKSPACE": str(checkout), "GITHUB_STEP_SUMMARY": str(summary)}
    ran = []
    for step in job["steps"]:
        if "run" not in step:
            continue
        env = {**document.get("env", {}), **job.get("env", {}), **step.get("env", {})}
        unknown = sorted({v for v in env.values() if "${{" in str(v)} - set(stand_ins))
        assert not unknown, f"no local stand-in for {unknown}"
        script = step["run"]
        lines = script.splitlines()
        script = "\n".join(RECURSIVE.get(line.strip(), line) for line in lines) + "\n"
        completed = subprocess.run(
            [*GITHUB_BASH, "-c", script],
            cwd=checkout,
            env={**base, **github, **{k: stand_ins.get(str(v), str(v)) for k, v in env.items()}},
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert completed.returncode == 0, f"{workflow}: step {step.get('name')!r} failed:\n" + (
            completed.stdout[-3000:] + completed.stderr[-3000:]
        )
        ran.append(script)
    return ran


def outputs_of(checkout: Path, summary: Path) -> dict[str, str]:
    return {"summary.md": (checkout / "reports" / "summary.md").read_text(), "job summary": summary.read_text()}


@pytest.mark.slow
def test_ci_steps_run_make_contract_then_make_test_and_fill_the_job_summary(
    fresh_checkout: Path, tmp_path: Path
) -> None:
    summary = tmp_path / "step-summary.md"
    summary.write_text("")
    ran = run_steps("ci.yml", fresh_checkout, {}, summary, bounds=CI_CONTRACT_BOUNDS)

    original = [step["run"] for step in load("ci.yml")["jobs"]["test"]["steps"] if "run" in step]
    changed = [(a, b) for a, b in zip(original, ran, strict=True) if a.strip() != b.strip()]
    assert changed == [(line, dry + "\n") for line, dry in RECURSIVE.items()]  # the documented substitutions
    assert ran[0].strip() == "make contract"
    written = outputs_of(fresh_checkout, summary)
    assert written["job summary"] == written["summary.md"]
    assert written["summary.md"].startswith("# Contract check: passed")
    assert "the embedded mock API" in written["summary.md"]
    assert_summary_matches_reports(fresh_checkout / "reports")


@pytest.mark.slow
def test_live_steps_check_the_api_they_are_given_and_never_show_the_key(
    fresh_checkout: Path, tmp_path: Path, echoing_mock: str
) -> None:
    drifting = next(f for f in load_fixtures() if f.unknown_fields)
    clean = next(f for f in load_fixtures() if not f.unknown_fields)
    key = demo_key()
    stand_ins: dict[str, Any] = {
        "${{ secrets.CURRENTS_API_KEY }}": key,
        "${{ vars.CURRENTS_API_URL }}": echoing_mock,
        "${{ inputs.instance_ids || vars.CURRENTS_INSTANCE_IDS }}": f"{drifting.instance_id},{clean.instance_id}",
        "${{ inputs.project_ids || vars.CURRENTS_PROJECT_IDS }}": "",
        "${{ inputs.strict && '1' || vars.CONTRACT_STRICT }}": "",
        # The step is under test, not the API: live mode's few examples per operation bound the run; the rate
        # and the time budget are set beyond reach, so that a busy machine cannot cut the run short.
        "${{ vars.CONTRACT_RATE_LIMIT }}": "1000",
        "${{ vars.CONTRACT_MAX_TIME }}": "3600",
        "${{ vars.CONTRACT_MAX_EXAMPLES }}": "1",
        "${{ vars.CONTRACT_PHASES }}": "examples",
    }
    summary = tmp_path / "step-summary.md"
    summary.write_text("")
    run_steps("contract-live.yml", fresh_checkout, stand_ins, summary)

    written = outputs_of(fresh_checkout, summary)
    assert written["job summary"] == written["summary.md"]
    page = assert_summary_matches_reports(fresh_checkout / "reports")
    assert f"Checked against the real API at `{echoing_mock}`" in page
    assert "`$.data.echoedAuthorization`" in page  # the echo reached the drift table, redacted
    for name, text in written.items():
        assert key not in text, name


def test_live_steps_refuse_to_run_without_the_key(fresh_checkout: Path, tmp_path: Path) -> None:
    (step,) = [step for step in load("contract-live.yml")["jobs"]["contract"]["steps"] if "env" in step]
    completed = subprocess.run(
        [*GITHUB_BASH, "-c", step["run"]],
        cwd=fresh_checkout,
        env={"PATH": os.environ["PATH"], "CURRENTS_API_KEY": ""},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 2
    assert completed.stdout.startswith("::error::Set the CURRENTS_API_KEY repository secret")
    assert not (fresh_checkout / "reports").exists()  # make contract never ran against the mock
