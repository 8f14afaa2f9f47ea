"""The contract tests catch a mock that breaks its promise, not only a response that breaks the spec.

Each case mutates a copy of the mock and runs the contract test against it in a fresh pytest; the run must fail.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BACKEND = Path("contract_tests") / "mock_api" / "backend.py"
LOOKUP = "instance = self.world.instances.get(instance_id) if instance_id is not None else None"


@pytest.mark.slow
def test_schemathesis_fails_when_the_mock_answers_404_for_every_instance(project_copy: Path) -> None:
    backend = project_copy / BACKEND
    source = backend.read_text()
    assert LOOKUP in source
    backend.write_text(source.replace(LOOKUP, "instance = None  # mutated: nothing is ever found"))

    process = subprocess.run(
        # Only the instance operation's cases: the mutation breaks it, and the other operations prove nothing here.
        [sys.executable, "-m", "pytest", "-q", "-x", "-k", "instanceId", "contract_tests/test_schemathesis.py"],
        cwd=project_copy,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert process.returncode == 1, process.stdout[-3000:] + process.stderr[-3000:]
    assert "for an instance the mock holds" in process.stdout
