"""The Python examples of the README, the package README and the docs pages pass `mypy --strict` against the
client, so that what a reader copies type-checks as it is. CHANGELOG.md is left out: its "Migrating from 1.x"
shows 1.x code on purpose."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from kit._cli import ROOT

pytestmark = pytest.mark.slow  # the end-to-end tier: `make test-e2e`

PAGES = [
    ROOT / "README.md",
    ROOT / "generated" / "currents-api-client" / "README.md",
    *sorted((ROOT / "docs").rglob("*.md")),
]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)
# Names the prose around a block gives the reader, not the code: an instance id to look up.
PREAMBLE = 'instance_id = "2tniK8lM9j1rSoVh"\n'


def examples(page: Path) -> list[str]:
    return BLOCK.findall(page.read_text(encoding="utf-8"))


def test_the_pages_hold_examples_to_check() -> None:
    assert sum(len(examples(page)) for page in PAGES) >= 10


@pytest.mark.parametrize("page", [p for p in PAGES if examples(p)], ids=lambda p: str(p.relative_to(ROOT)))
def test_the_examples_of_a_page_pass_mypy_strict(page: Path, tmp_path: Path) -> None:
    """A page's blocks are one module, in order, as a reader runs them one after the other."""
    module = tmp_path / "examples.py"
    module.write_text(PREAMBLE + "\n".join(examples(page)), encoding="utf-8")
    process = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--config-file", os.devnull, module.name],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert process.returncode == 0, process.stdout + process.stderr
