"""CHANGELOG.md reaches the client package: `make generate` copies it in, and the sdist carries it."""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from kit._cli import ROOT
from scripts.versions.check_version import changelog_versions

PACKAGE = ROOT / "generated" / "currents-api-client"
VERSION: str = json.loads((ROOT / "generated" / "openapi.json").read_text())["info"]["version"]


def test_the_current_version_has_a_changelog_entry() -> None:
    assert VERSION in changelog_versions()


def test_the_package_carries_the_changelog_as_written() -> None:
    assert (PACKAGE / "CHANGELOG.md").read_bytes() == (ROOT / "CHANGELOG.md").read_bytes()


@pytest.mark.slow
def test_the_sdist_carries_the_changelog(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "build", "--sdist", "--no-isolation", "--outdir", str(tmp_path), str(PACKAGE)],
        capture_output=True,
        check=True,
        timeout=300,
    )
    (sdist,) = tmp_path.glob("*.tar.gz")
    with tarfile.open(sdist) as archive:
        member = archive.extractfile(f"currents_api_client-{VERSION}/CHANGELOG.md")
        assert member is not None
        assert f"## {VERSION}\n" in member.read().decode()
