"""The contract tests catch a mock that breaks its promise, not only a response that breaks the spec.

Each case mutates a copy of the mock and runs the contract test against it in a fresh pytest; the run must fail.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

APP = Path("contract_tests") / "mock_api" / "app.py"
LOOKUP = "instance = self.instances.get(instance_id)"


@pytest.mark.slow
def test_schemathesis_fails_when_the_mock_answers_404_for_every_instance(project_copy: Path) -> None:
    app = project_copy / APP
    source = app.read_text()
    assert LOOKUP in source
    app.write_text(source.replace(LOOKUP, "instance = None  # mutated: nothing is ever found"))
    test = project_copy / "contract_tests" / "test_schemathesis.py"
    test.write_text(test.read_text().replace('"max-examples": 60', '"max-examples": 5'))  # it fails on the examples

    process = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-x", "contract_tests/test_schemathesis.py"],
        cwd=project_copy,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert process.returncode == 1, process.stdout[-3000:] + process.stderr[-3000:]
    assert "for an instance the mock holds" in process.stdout
