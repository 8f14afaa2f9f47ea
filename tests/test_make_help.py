"""`make help` leads with the main job, says what `test` runs, and names every variable `make mock` reads; the
CI page's table (docs/ci.md) says what `CURRENTS_PROJECT_IDS` does (scripts/contract/discovery.py)."""

from __future__ import annotations

import re
import subprocess

from contract_tests.mock_api import __main__ as mock_main
from kit._cli import ROOT


def help_lines() -> dict[str, str]:
    shown = subprocess.run(
        ["make", "--no-print-directory", "help"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    lines = shown.stdout.splitlines()[1:]
    return dict(line.strip().split(None, 1) for line in lines)


def test_the_main_job_and_the_test_command_come_first_after_help() -> None:
    assert list(help_lines())[:5] == ["help", "contract", "test", "test-e2e", "mock"]


def test_the_test_target_says_what_it_runs() -> None:
    described = help_lines()["test"]
    assert "README" not in described
    assert "static check" in described and "release check" in described and "unit and functional tests" in described
    end_to_end = help_lines()["test-e2e"]
    assert "end-to-end" in end_to_end and "CI" in end_to_end


def test_the_mock_target_names_every_variable_the_mock_reads() -> None:
    documented = set(re.findall(r"`(MOCK_[A-Z_]+)`", mock_main.__doc__ or ""))
    assert documented >= {"MOCK_HOST", "MOCK_PORT", "MOCK_API_KEY", "MOCK_RUN_SIZE", "MOCK_ARTIFACT_TTL"}
    described = help_lines()["mock"]
    assert [name for name in sorted(documented) if name not in described] == []


def test_the_ci_page_says_project_ids_choose_where_live_mode_discovers() -> None:
    (row,) = [
        line
        for line in (ROOT / "docs" / "ci.md").read_text().splitlines()
        if line.startswith("| variable | `CURRENTS_PROJECT_IDS`")
    ]
    assert "instances only" not in row
    assert "discovers" in row
