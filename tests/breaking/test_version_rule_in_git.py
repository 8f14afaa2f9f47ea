"""End to end in a temporary git repository: `make check-version` (in `make check`) and `make breaking`.

The repository holds a copy of the project: a first commit without `generated/`, then the project at its version.
Each test clones it, edits the spec, regenerates with the project's own `make generate` script, and runs the
guard as `make` runs it (through a `.venv/bin/python` that hands over to this environment's interpreter).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import IGNORE, PROJECT_PARTS
from kit._cli import ROOT
from scripts.versions.comparison import bumped
from tests.support import RunScript, assert_one_line_error

pytestmark = pytest.mark.slow

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Maintainer",
    "GIT_AUTHOR_EMAIL": "maintainer@example.com",
    "GIT_COMMITTER_NAME": "Maintainer",
    "GIT_COMMITTER_EMAIL": "maintainer@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
}
RAW_STATUS = (
    "    rawStatus:\n"
    '      description: "Status as the runner reported it. Known values: `passed`, `failed`, `timedOut`, '
    '`skipped`, `interrupted`."\n'
    "      type: string\n"
)
REMOVED_POINTER = "/components/schemas/TestAttempt/properties/rawStatus"
# The project's version when the tests run, and the bumps from it.
VERSION: str = json.loads((ROOT / "generated" / "openapi.json").read_text())["info"]["version"]
PATCH, MAJOR = bumped(VERSION, "patch"), bumped(VERSION, "major")


def git(repo: Path, *args: str) -> str:
    completed = subprocess.run(
        ["git", *args], cwd=repo, capture_output=True, text=True, env={**os.environ, **GIT_ENV}, check=True, timeout=60
    )
    return completed.stdout


@pytest.fixture(scope="module")
def origin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A repository: a first commit with only a README, then the project at its version."""
    repo = tmp_path_factory.mktemp("origin") / "project"
    repo.mkdir()
    git(repo, "init", "--quiet", "--initial-branch=main")
    (repo / "README.md").write_text("# The project\n")
    git(repo, "add", "-A")
    git(repo, "commit", "--quiet", "-m", "Start")
    for part in (*PROJECT_PARTS, "Makefile", ".gitignore"):
        source = ROOT / part
        if source.is_dir():
            shutil.copytree(source, repo / part, ignore=IGNORE)
        else:
            shutil.copy2(source, repo / part)
    git(repo, "add", "-A")
    git(repo, "commit", "--quiet", "-m", "The client")
    return repo


def with_venv(repo: Path) -> Path:
    """Give `repo` a .venv that `make` accepts as installed, running this interpreter."""
    python = repo / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    python.chmod(0o755)
    (repo / ".venv" / ".installed-dev").touch()
    return repo


@pytest.fixture
def clone(origin: Path, tmp_path: Path) -> Path:
    repo = tmp_path / "clone"
    git(tmp_path, "clone", "--quiet", str(origin), str(repo))
    return with_venv(repo)


def make(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "--no-print-directory", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        env={**os.environ, **GIT_ENV},
        timeout=180,
        check=False,
    )


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def regenerate(repo: Path) -> None:
    process = subprocess.run(
        [sys.executable, "-m", "scripts.spec.generate"],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert process.returncode == 0, process.stderr


CHANGELOG_ENTRY = "## {version}\n\n### Breaking\n- `TestAttempt.rawStatus`: removed\n\n## {previous}\n"


@pytest.fixture(scope="module")
def trees(origin: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The edited project states the tests need, each generated once with `make generate`'s script: the spec
    without TestAttempt.rawStatus at VERSION, at PATCH and at MAJOR (each with its changelog entry)."""
    scratch = tmp_path_factory.mktemp("trees")
    work = scratch / "work"
    git(scratch, "clone", "--quiet", str(origin), str(work))
    saved: dict[str, Path] = {}

    def save(name: str) -> None:
        saved[name] = scratch / name
        for part in ("openapi", "generated"):
            shutil.copytree(work / part, saved[name] / part, ignore=IGNORE)
        shutil.copy2(work / "CHANGELOG.md", saved[name] / "CHANGELOG.md")

    edit(work / "openapi" / "schemas" / "framework.yaml", RAW_STATUS, "")
    regenerate(work)
    save("removed")
    for old, new in ((VERSION, PATCH), (PATCH, MAJOR)):
        edit(work / "openapi" / "currents.yaml", f"  version: {old}\n", f"  version: {new}\n")
        changelog = (origin / "CHANGELOG.md").read_text()
        entry = CHANGELOG_ENTRY.format(version=new, previous=VERSION)
        (work / "CHANGELOG.md").write_text(changelog.replace(f"## {VERSION}\n", entry, 1))
        regenerate(work)
        save(new)
    return saved


def checkout(repo: Path, tree: Path) -> None:
    """Put an edited state of the project into the work tree of `repo`, as an edit and `make generate` would."""
    for part in ("openapi", "generated"):
        shutil.rmtree(repo / part)
        shutil.copytree(tree / part, repo / part)
    shutil.copy2(tree / "CHANGELOG.md", repo / "CHANGELOG.md")


def test_the_committed_project_passes(clone: Path) -> None:
    process = make(clone, "check-version")

    assert process.returncode == 0, process.stderr
    assert f"check-version: {VERSION} covers the changes (the first version recorded)" in process.stdout


def test_a_spec_edit_without_a_bump_fails_naming_the_bump_and_the_first_breaking_change(
    clone: Path, trees: dict[str, Path]
) -> None:
    checkout(clone, trees["removed"])

    process = make(clone, "check-version")

    assert process.returncode != 0
    line = next(line for line in process.stderr.splitlines() if line.startswith("check-version:"))
    assert f"a major bump is required ({VERSION} -> {MAJOR})" in line
    assert f"first breaking change: {REMOVED_POINTER}: property 'rawStatus' was removed" in line
    assert "Traceback" not in process.stderr

    git(clone, "commit", "--quiet", "-am", "Drop rawStatus")  # committed, the rule still holds
    assert f"a major bump is required ({VERSION} -> {MAJOR})" in make(clone, "check-version").stderr


def test_a_patch_bump_where_a_major_is_needed_fails(clone: Path, trees: dict[str, Path]) -> None:
    checkout(clone, trees[PATCH])

    process = make(clone, "check-version")

    assert process.returncode != 0
    assert f"{VERSION} -> {PATCH} is a patch bump, but the changes since {VERSION}" in process.stderr
    assert f"need a major bump ({MAJOR})" in process.stderr
    assert REMOVED_POINTER in process.stderr

    git(clone, "commit", "--quiet", "-am", PATCH)  # the commit that sets PATCH is checked the same way
    assert "is a patch bump, but" in make(clone, "check-version").stderr


def test_the_right_bump_with_a_changelog_entry_passes(clone: Path, trees: dict[str, Path]) -> None:
    checkout(clone, trees[MAJOR])

    process = make(clone, "check-version")
    assert process.returncode == 0, process.stderr
    assert f"check-version: {MAJOR} covers the changes since {VERSION}" in process.stdout

    git(clone, "commit", "--quiet", "-am", f"{MAJOR}: drop rawStatus")
    assert make(clone, "check-version").returncode == 0

    # The next change after the release needs a version of its own.
    # (A description edit in generated/openapi.json, as `make generate` would write it from the spec.)
    edit(clone / "generated" / "openapi.json", "Index of the worker process that ran", "The worker that ran")
    process = make(clone, "check-version")
    assert process.returncode != 0
    assert f"a patch bump is required ({MAJOR} -> {bumped(MAJOR, 'patch')})" in process.stderr


def test_the_right_bump_without_a_changelog_entry_fails(clone: Path, trees: dict[str, Path]) -> None:
    checkout(clone, trees[MAJOR])
    shutil.copy2(clone / "generated" / "currents-api-client" / "CHANGELOG.md", clone / "CHANGELOG.md")
    edit(clone / "CHANGELOG.md", f"## {MAJOR}\n", "## Unreleased\n")

    process = make(clone, "check-version")

    assert process.returncode != 0
    assert f"CHANGELOG.md has no entry for {MAJOR}" in process.stderr


def test_make_breaking_base_head_1_reports_the_change_and_changelog_lines(clone: Path, trees: dict[str, Path]) -> None:
    checkout(clone, trees["removed"])
    git(clone, "commit", "--quiet", "-am", "Drop rawStatus")

    process = make(clone, "breaking", "BASE=HEAD~1")

    assert process.returncode == 0, process.stderr
    out = process.stdout
    assert f"breaking     {REMOVED_POINTER}: property 'rawStatus' was removed; readers lose it" in out
    assert "python:currents_api_client.models.test_attempt.TestAttempt.raw_status" in out
    assert f"a major bump is needed ({VERSION} -> {MAJOR})" in out
    assert "### Breaking\n- `TestAttempt.rawStatus`: property 'rawStatus' was removed; readers lose it" in out


def test_make_breaking_without_base_compares_with_the_last_release(clone: Path, trees: dict[str, Path]) -> None:
    checkout(clone, trees["removed"])

    process = make(clone, "breaking")

    assert process.returncode == 0, process.stderr
    assert f"from the last release ({git(clone, 'rev-parse', 'HEAD').strip()[:12]}, version {VERSION})" in (
        process.stdout
    )
    assert REMOVED_POINTER in process.stdout


def test_a_shallow_clone_gets_a_clear_message(origin: Path, tmp_path: Path, run_script: RunScript) -> None:
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "--quiet", "--depth", "1", f"file://{origin}", str(shallow))

    process = run_script("versions.check_version", cwd=shallow)

    assert_one_line_error(process, "shallow clone", VERSION, "git fetch --unshallow")


def test_a_copy_without_git_gets_a_clear_message(project_copy: Path, run_script: RunScript) -> None:
    process = run_script("versions.check_version", cwd=project_copy)

    assert_one_line_error(process, "is not a git repository", "run it in a clone")


def test_a_repository_without_commits_passes_as_the_first_version(project_copy: Path, run_script: RunScript) -> None:
    git(project_copy, "init", "--quiet")

    process = run_script("versions.check_version", cwd=project_copy)

    assert process.returncode == 0, process.stderr
    assert f"{VERSION} is the first version recorded" in process.stdout


@pytest.mark.parametrize(
    ("base", "fragments"),
    [
        ("no-such-ref", ("BASE=no-such-ref: no such commit in this repository",)),
        ("HEAD~1", ("BASE=HEAD~1: that commit has no generated/openapi.json",)),
        ("--upload-pack=x", ("not a git ref",)),
    ],
)
def test_make_breaking_refuses_a_bad_base_in_one_line(
    clone: Path, run_script: RunScript, base: str, fragments: tuple[str, ...]
) -> None:
    assert_one_line_error(run_script("versions.breaking", f"--base={base}", cwd=clone), *fragments)


def test_make_breaking_refuses_a_malformed_document_in_one_line(clone: Path, run_script: RunScript) -> None:
    document = clone / "generated" / "openapi.json"
    good = document.read_text()

    document.write_text('{"openapi": "3.1.0", "info": ')
    assert_one_line_error(
        run_script("versions.breaking", "--base", "HEAD", cwd=clone), "generated/openapi.json:1:", "not JSON"
    )

    document.write_text('{"paths": {}}')
    assert_one_line_error(run_script("versions.breaking", "--base", "HEAD", cwd=clone), "not an OpenAPI document")

    git(clone, "commit", "--quiet", "-am", "A broken document")
    document.write_text(good)
    assert_one_line_error(
        run_script("versions.breaking", "--base", "HEAD", cwd=clone),
        "generated/openapi.json at BASE=HEAD",
        "not an OpenAPI",
    )


def test_check_version_refuses_a_version_that_is_not_semantic(clone: Path) -> None:
    document = clone / "generated" / "openapi.json"
    edit(document, f'"version": "{VERSION}"', '"version": "1.0"')

    process = make(clone, "check-version")

    assert process.returncode != 0
    assert "info.version '1.0' is not a semantic version MAJOR.MINOR.PATCH" in process.stderr
    assert "Traceback" not in process.stderr
