"""The client's package metadata: Apache-2.0 the PEP 639 way, URLs, authors, classifiers, all from their sources."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from trove_classifiers import classifiers as known_classifiers

from kit import bundle
from kit._cli import ROOT
from scripts.spec import sources
from tests.support import RunScript, assert_one_line_error

pytestmark = pytest.mark.slow  # the end-to-end tier: `make test-e2e`

CLIENT = sources.GENERATED / sources.PROJECT_NAME


def project_table(client: Path = CLIENT) -> dict[str, Any]:
    table: dict[str, Any] = tomllib.loads((client / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return table


def spec_info() -> dict[str, Any]:
    info: dict[str, Any] = yaml.safe_load(bundle.ENTRY.read_text(encoding="utf-8"))["info"]
    return info


def test_license_is_apache_2_with_its_patent_grant_at_the_root_and_in_the_package() -> None:
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License" in text and "Version 2.0, January 2004" in text
    assert "Grant of Patent License" in text
    assert (CLIENT / "LICENSE").read_bytes() == (ROOT / "LICENSE").read_bytes()


def test_package_declares_the_spec_license_as_a_pep_639_expression() -> None:
    project = project_table()
    assert spec_info()["license"]["identifier"] == "Apache-2.0"
    assert project["license"] == spec_info()["license"]["identifier"]
    assert project["license-files"] == ["LICENSE"]
    assert not [c for c in project["classifiers"] if c.startswith("License ::")]  # PEP 639 supersedes them


def test_metadata_names_urls_authors_keywords_and_real_classifiers() -> None:
    project = project_table()
    assert set(project["urls"]) == {"Homepage", "Documentation", "Changelog", "Issues"}
    assert all(url.startswith("https://") for url in project["urls"].values())
    assert project["authors"] and all(author.get("name") for author in project["authors"])
    assert "currents" in project["keywords"]
    classifiers = project["classifiers"]
    assert set(classifiers) <= known_classifiers, set(classifiers) - known_classifiers
    assert "Typing :: Typed" in classifiers
    assert [c for c in classifiers if c.startswith("Development Status :: ")]
    versions = yaml.safe_load((ROOT / "generator" / "package.yaml").read_text())["python_versions"]
    assert [
        c.rsplit(" ", 1)[1] for c in classifiers if c.startswith("Programming Language :: Python :: 3.")
    ] == versions
    assert project["requires-python"] == f">={versions[0]}"


def test_both_readmes_name_the_license_in_one_line() -> None:
    for readme in (ROOT / "README.md", CLIENT / "README.md"):
        lines = [line for line in readme.read_text(encoding="utf-8").splitlines() if "Apache-2.0" in line]
        assert len(lines) == 1, readme
        assert "LICENSE" in lines[0], readme


def test_metadata_comes_from_generator_package_yaml_and_the_spec(project_copy: Path, run_script: RunScript) -> None:
    metadata = project_copy / "generator" / "package.yaml"
    metadata.write_text(metadata.read_text().replace("keywords: [currents,", "keywords: [currents, flaky-tests,"))
    spec = project_copy / "openapi" / "currents.yaml"
    spec.write_text(spec.read_text().replace("identifier: Apache-2.0", "identifier: MIT"))
    process = run_script("spec.generate", cwd=project_copy)
    assert process.returncode == 0, process.stderr
    project = project_table(project_copy / "generated" / sources.PROJECT_NAME)
    assert "flaky-tests" in project["keywords"]
    assert project["license"] == "MIT"


def test_package_yaml_with_a_bad_url_is_one_line_naming_it(project_copy: Path, run_script: RunScript) -> None:
    metadata = project_copy / "generator" / "package.yaml"
    metadata.write_text(metadata.read_text().replace("Issues: https://", "Issues: http://"))
    before = (project_copy / "generated" / sources.PROJECT_NAME / "pyproject.toml").read_bytes()
    assert_one_line_error(run_script("spec.generate", cwd=project_copy), "generator/package.yaml", "urls/Issues")
    assert (project_copy / "generated" / sources.PROJECT_NAME / "pyproject.toml").read_bytes() == before


def test_spec_without_a_license_is_one_line_naming_it(project_copy: Path, run_script: RunScript) -> None:
    spec = project_copy / "openapi" / "currents.yaml"
    spec.write_text(spec.read_text().replace("    identifier: Apache-2.0\n", ""))
    assert_one_line_error(run_script("spec.generate", cwd=project_copy), "openapi/currents.yaml", "/info/license")
