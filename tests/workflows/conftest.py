"""A fresh checkout of the project, for running what CI and the commit hooks run."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from kit._cli import ROOT


@pytest.fixture
def fresh_checkout(tmp_path: Path) -> Path:
    """The tracked and new files of this checkout, copied with their times; `.venv` linked to this one's."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    checkout = tmp_path / "checkout"
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():  # a file deleted but not yet committed is listed and absent
            (checkout / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, checkout / name)
    (checkout / ".venv").symlink_to(ROOT / ".venv")
    stamp = ROOT / ".venv" / ".installed-dev"
    assert stamp.stat().st_mtime >= (checkout / "pyproject.toml").stat().st_mtime, "run `make install` first"
    return checkout
