"""The GitHub workflows have the properties the security guides ask for, and run what the docs' CI page says.

GitHub Actions cannot run here: these tests read the YAML. `make lint` also runs zizmor and GitHub's
workflow schema over it, and test_workflow_steps.py runs its `run:` steps.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml

from kit._cli import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"
NAMES = ("ci.yml", "contract-live.yml")
PINNED = re.compile(r"^\s*(?:-\s+)?uses:\s+[\w.-]+/[\w./-]+@[0-9a-f]{40}\s+#\s+v\d+(?:\.\d+)*\s*$")


def load(name: str) -> dict[str, Any]:
    parsed: dict[Any, Any] = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    if True in parsed:  # YAML 1.1 reads the key `on` as a boolean
        parsed["on"] = parsed.pop(True)
    document: dict[str, Any] = parsed
    return document


def steps(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in document["jobs"].values() for step in job["steps"]]


def step_using(document: dict[str, Any], action: str) -> dict[str, Any]:
    (step,) = [step for step in steps(document) if step.get("uses", "").startswith(f"{action}@")]
    return step


def test_the_two_workflows_are_there_and_nothing_else() -> None:
    assert sorted(path.name for path in WORKFLOWS.iterdir()) == sorted(NAMES)


def test_live_workflow_never_runs_for_pull_requests_so_forks_never_see_the_key() -> None:
    triggers = load("contract-live.yml")["on"]
    assert set(triggers) == {"schedule", "workflow_dispatch"}
    assert triggers["schedule"] and triggers["schedule"][0]["cron"]
    inputs = triggers["workflow_dispatch"]["inputs"]
    assert inputs["strict"]["type"] == "boolean" and inputs["project_ids"]["type"] == "string"


def test_live_workflow_reads_the_key_from_secrets_and_the_ids_from_variables() -> None:
    (step,) = [step for step in steps(load("contract-live.yml")) if "env" in step]
    env = step["env"]
    assert env["CURRENTS_API_KEY"] == "${{ secrets.CURRENTS_API_KEY }}"
    assert "vars.CURRENTS_PROJECT_IDS" in env["CURRENTS_PROJECT_IDS"]
    assert "inputs.project_ids" in env["CURRENTS_PROJECT_IDS"]
    assert "vars.CURRENTS_INSTANCE_IDS" in env["CURRENTS_INSTANCE_IDS"]
    assert "inputs.strict" in env["CONTRACT_STRICT"]
    assert 'if [ -z "$CURRENTS_API_KEY" ]' in step["run"]  # no key: fail, never fall back to the mock
    secrets_used = {m for name in NAMES for m in re.findall(r"secrets\.(\w+)", (WORKFLOWS / name).read_text())}
    assert secrets_used == {"CURRENTS_API_KEY"}
    assert "secrets." not in (WORKFLOWS / "ci.yml").read_text()


@pytest.mark.parametrize("name", NAMES)
def test_permissions_are_contents_read_only(name: str) -> None:
    document = load(name)
    assert document["permissions"] == {"contents": "read"}
    assert all("permissions" not in job for job in document["jobs"].values())


@pytest.mark.parametrize("name", NAMES)
def test_every_action_is_pinned_to_a_full_commit_sha_with_its_version_in_a_comment(name: str) -> None:
    lines = [line for line in (WORKFLOWS / name).read_text().splitlines() if re.match(r"^\s*(-\s+)?uses:", line)]
    assert lines
    assert [line for line in lines if not PINNED.match(line)] == []


@pytest.mark.parametrize("name", NAMES)
def test_checkout_never_persists_credentials(name: str) -> None:
    assert step_using(load(name), "actions/checkout")["with"]["persist-credentials"] is False


@pytest.mark.parametrize("name", NAMES)
def test_no_expression_is_interpolated_into_a_run_script(name: str) -> None:
    scripts = [step["run"] for step in steps(load(name)) if "run" in step]
    assert scripts
    assert [script for script in scripts if "${{" in script] == []


@pytest.mark.parametrize("name", NAMES)
def test_every_job_has_a_timeout_and_the_workflow_a_concurrency_group(name: str) -> None:
    document = load(name)
    assert document["concurrency"]["group"]
    assert all(0 < job["timeout-minutes"] <= 60 for job in document["jobs"].values())


@pytest.mark.parametrize("name", NAMES)
def test_reports_go_to_the_job_summary_and_an_artifact_even_when_a_step_failed(name: str) -> None:
    document = load(name)
    (summary,) = [step for step in steps(document) if "$GITHUB_STEP_SUMMARY" in step.get("run", "")]
    assert "reports/summary.md" in summary["run"] and summary["if"] == "${{ !cancelled() }}"
    upload = step_using(document, "actions/upload-artifact")
    assert upload["with"]["path"] == "reports/" and upload["if"] == "${{ !cancelled() }}"


def test_ci_runs_the_readme_commands_on_every_supported_python_with_a_pip_cache() -> None:
    document = load("ci.yml")
    assert set(document["on"]) == {"push", "pull_request"}
    runs = [step["run"] for step in steps(document) if "run" in step]
    assert runs[:3] == ["make contract", "make test", "make test-e2e"]
    (job,) = document["jobs"].values()
    supported = yaml.safe_load((ROOT / "generator" / "package.yaml").read_text())["python_versions"]
    assert job["strategy"]["matrix"]["python-version"] == supported
    setup = step_using(document, "actions/setup-python")["with"]
    assert setup["cache"] == "pip" and setup["cache-dependency-path"] == "pyproject.toml"


def test_the_ci_page_names_both_workflows_and_what_to_set() -> None:
    section = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    for needed in ("ci.yml", "contract-live.yml", "CURRENTS_API_KEY", "CURRENTS_PROJECT_IDS", "CURRENTS_INSTANCE_IDS"):
        assert needed in section, needed
