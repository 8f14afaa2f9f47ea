"""`make release-check` finds what is wrong with the built artifacts, one line per finding naming the file.

The passing case is `make release-check` itself, which `make test` runs before pytest.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kit._cli import ROOT
from scripts.release import release_check

pytestmark = pytest.mark.slow  # the end-to-end tier: `make test-e2e`


def broken_client(tmp_path: Path) -> Path:
    """A copy of the generated client with a stray `tests` package, no py.typed, and an import that fails."""
    client = release_check.clean_copy(release_check.CLIENT, tmp_path / "currents-api-client")
    (client / "currents_api_client" / "py.typed").unlink()
    (client / "tests").mkdir()
    (client / "tests" / "__init__.py").write_text("")
    init = client / "currents_api_client" / "__init__.py"
    init.write_text(init.read_text() + "\nimport a_module_no_wheel_declares  # noqa\n")
    pyproject = client / "pyproject.toml"
    text = pyproject.read_text()
    text = text.replace('packages = ["currents_api_client"]', 'packages = ["currents_api_client", "tests"]')
    text = text.replace('include = ["/currents_api_client",', 'include = ["/tests", "/currents_api_client",')
    pyproject.write_text(text)
    return client


def test_every_finding_is_one_line_naming_the_artifact_and_the_check_fails(tmp_path: Path) -> None:
    client = broken_client(tmp_path)
    process = subprocess.run(
        [
            sys.executable,
            "-m",
            "scripts.release.release_check",
            "--source",
            str(client),
            "--outdir",
            str(tmp_path / "dist"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert process.returncode == 1, process.stderr
    assert "Traceback" not in process.stderr
    lines = process.stderr.strip().splitlines()
    assert all(line.startswith("release-check: ") for line in lines), lines
    wheel_lines = [line for line in lines if ".whl" in line]
    sdist_lines = [line for line in lines if ".tar.gz" in line]
    assert any("W2" in line or "W005" in line for line in wheel_lines), lines  # the stray `tests` package
    assert any("py.typed" in line for line in wheel_lines), lines
    assert any("currents_api_client/py.typed is missing" in line for line in sdist_lines), lines
    assert any("fails in a fresh virtualenv" in line and "a_module_no_wheel_declares" in line for line in lines)
    assert not process.stdout.strip()


def test_sdist_without_the_license_is_a_finding(tmp_path: Path) -> None:
    artifacts = release_check.build(release_check.CLIENT, tmp_path / "dist")
    stripped = tmp_path / "stripped"
    subprocess.run(["tar", "xzf", str(artifacts.sdist), "-C", str(tmp_path)], check=True)
    (unpacked,) = [p for p in tmp_path.iterdir() if p.name.startswith("currents_api_client-")]
    (unpacked / "LICENSE").unlink()
    stripped.mkdir()
    archive = stripped / artifacts.sdist.name
    shutil.make_archive(str(archive).removesuffix(".tar.gz"), "gztar", tmp_path, unpacked.name)
    assert release_check.check_sdist(artifacts.sdist) == []
    assert release_check.check_sdist(archive) == [f"{archive}: LICENSE is missing"]


def test_pyproject_with_an_unknown_classifier_is_a_finding(tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    text = (release_check.CLIENT / "pyproject.toml").read_text()
    pyproject.write_text(text.replace('"Typing :: Typed",', '"Typing :: Typed",\n    "Typing :: Sometimes",'))
    (finding,) = release_check.check_pyproject(pyproject)
    assert finding.startswith(f"{pyproject}: validate-pyproject: ")
    assert release_check.check_pyproject(release_check.CLIENT / "pyproject.toml") == []


def test_metadata_pypi_cannot_render_is_a_finding(tmp_path: Path) -> None:
    client = release_check.clean_copy(release_check.CLIENT, tmp_path / "currents-api-client")
    pyproject = client / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('readme = "README.md"\n', ""))
    artifacts = release_check.build(client, tmp_path / "dist")
    findings = release_check.check_metadata(artifacts)
    assert len(findings) == 2, findings
    assert all("twine check --strict" in line and "long_description" in line for line in findings), findings
