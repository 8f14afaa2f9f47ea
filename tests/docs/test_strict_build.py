"""`make docs`, `make docs-serve` and `make docs-check` fail on any warning, and the site builds with none.

Each target runs for real (make, mkdocs, the hooks and mkdocstrings) in a copy of the project whose only change is
one page linking to a page that does not exist: mkdocs warns about it, and strict mode must turn that one warning
into a failed build. The copy links the heavy parts (generated/, scripts/, .venv) back to the project.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from kit._cli import ROOT

pytestmark = pytest.mark.slow

LINKED = ("generated", "overlays", "kit", "scripts", "openapi", "README.md", "CHANGELOG.md", "pyproject.toml")
BROKEN_LINK = "\n\nSee [the page that is gone](gone.md).\n"
ABORTED = "Aborted with 1 warnings in strict mode!"


@pytest.fixture(scope="module")
def project_with_a_warning(tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("docs-project")
    shutil.copytree(ROOT / "docs", copy / "docs", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy2(ROOT / "mkdocs.yml", copy / "mkdocs.yml")
    shutil.copy2(ROOT / "Makefile", copy / "Makefile")
    for part in LINKED:
        (copy / part).symlink_to(ROOT / part)
    with (copy / "docs" / "index.md").open("a", encoding="utf-8") as page:
        page.write(BROKEN_LINK)
    return copy


def make(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "--no-print-directory", f"VENV={ROOT / '.venv'}", *args],
        cwd=project,
        capture_output=True,
        text=True,
        env={**os.environ, "MAKEFLAGS": ""},
        timeout=120,  # a hang guard: a docs-serve that failed to stop would otherwise serve forever
        check=False,
    )


def test_make_docs_fails_on_one_warning_and_shows_it(project_with_a_warning: Path) -> None:
    process = make(project_with_a_warning, "docs")
    output = process.stdout + process.stderr
    assert process.returncode != 0, output
    assert "gone.md" in output and "WARNING" in output
    assert ABORTED in output
    assert "docs: site/index.html" not in output


def test_make_docs_serve_stops_on_one_warning_before_serving(project_with_a_warning: Path) -> None:
    process = make(project_with_a_warning, "docs-serve", "DOCS_ADDR=127.0.0.1:0")
    output = process.stdout + process.stderr
    assert process.returncode != 0, output
    assert "gone.md" in output and ABORTED in output
    assert "Serving on" not in output


def test_make_docs_check_builds_strictly_first_so_one_warning_fails_it(project_with_a_warning: Path) -> None:
    dry_run = make(project_with_a_warning, "-n", "docs-check")
    assert "mkdocs build --strict" in dry_run.stdout and "--quiet" not in dry_run.stdout
    assert dry_run.stdout.index("mkdocs build --strict") < dry_run.stdout.index("pytest")
