"""The package's hand-written modules are tested where they are written: an edit reaches pytest as it is, with no
`make generate` (no copy step) in between."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kit._cli import ROOT
from scripts.spec.sources import GENERATED, HAND_WRITTEN, PROJECT_NAME

# One small test file of the hand-written layer, and the one behaviour the edit below breaks in it.
TEST_FILE = "tests/lib/test_text.py"
BROKEN_TEST = "test_csv_cell_neutralises_formulas_and_drops_control_characters"
NEUTRALISING_LINE = """    return "'" + cleaned if cleaned.startswith(FORMULA_STARTS) else cleaned\n"""


@pytest.mark.slow
def test_an_edit_to_a_hand_written_module_is_what_pytest_tests(tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True, capture_output=True)
    module = clone / HAND_WRITTEN.relative_to(ROOT) / "text.py"
    source = module.read_text(encoding="utf-8")
    assert source.count(NEUTRALISING_LINE) == 1
    module.write_text(source.replace(NEUTRALISING_LINE, "    return cleaned\n"), encoding="utf-8")

    process = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:xdist", "-p", "no:cacheprovider", TEST_FILE],
        cwd=clone,
        capture_output=True,
        text=True,
        # The clone's package first, ahead of the editable install of this checkout's.
        env={**os.environ, "PYTHONPATH": str(clone / GENERATED.relative_to(ROOT) / PROJECT_NAME)},
        check=False,
    )

    assert process.returncode == 1, process.stdout + process.stderr
    failed = [line for line in process.stdout.splitlines() if line.startswith("FAILED ")]
    assert len(failed) == 1 and failed[0].startswith(f"FAILED {TEST_FILE}::{BROKEN_TEST}"), process.stdout
    assert " passed" in process.stdout.splitlines()[-1]  # the file's other tests still pass: only the edit broke
