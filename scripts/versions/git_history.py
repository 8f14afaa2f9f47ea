"""What the breaking-change guard reads from git: files at a commit, and the history of `info.version`.

Scope: the repository that holds this project (which may sit in a subfolder of it). Every failure is a
`UserError` with one line: git missing, not a repository, an unknown ref, a path a commit does not have, or a
shallow clone whose history stops before the answer.
"""

from __future__ import annotations

import io
import json
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

from kit._cli import ROOT, UserError

DOCUMENT = "generated/openapi.json"
PACKAGE_DIR = "generated/currents-api-client"


def git(*args: str, data: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", *args], cwd=ROOT, input=data, capture_output=True, timeout=120, check=False)
    except FileNotFoundError:
        raise UserError("git is not installed: the version rule reads the history of generated/openapi.json") from None


def ensure_repository() -> None:
    if git("rev-parse", "--is-inside-work-tree").returncode != 0:
        raise UserError(
            f"{ROOT} is not a git repository: the version rule finds its baseline in the history of "
            f"{DOCUMENT}; run it in a clone, not an exported copy"
        )


def is_shallow() -> bool:
    return git("rev-parse", "--is-shallow-repository").stdout.strip() == b"true"


def has_commits() -> bool:
    return git("rev-parse", "--verify", "--quiet", "HEAD^{commit}").returncode == 0


def resolve(ref: str) -> str:
    """The full hash of commit `ref`; an unknown ref is a `UserError`."""
    ensure_repository()
    if not ref or ref.startswith("-"):
        raise UserError(f"BASE={ref!r}: not a git ref")
    completed = git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    if completed.returncode != 0:
        raise UserError(f"BASE={ref}: no such commit in this repository")
    return completed.stdout.decode().strip()


def _top_relative(path: str) -> str:
    prefix = git("rev-parse", "--show-prefix").stdout.decode().strip()
    return prefix + path


def read_at(commit: str, path: str) -> bytes | None:
    """The bytes of `path` (relative to the project) at `commit`, or None when the commit has no such file."""
    completed = git("cat-file", "blob", f"{commit}:{_top_relative(path)}")
    return completed.stdout if completed.returncode == 0 else None


def extract_at(commit: str, path: str, destination: Path) -> Path | None:
    """Write the folder `path` as it is at `commit` below `destination`; its copy, or None if the commit lacks it."""
    top_path = _top_relative(path)
    completed = git("archive", "--format=tar", commit, "--", top_path)
    if completed.returncode != 0:
        return None
    with tarfile.open(fileobj=io.BytesIO(completed.stdout)) as archive:
        archive.extractall(destination, filter="data")
    copy = destination / top_path
    return copy if copy.is_dir() else None


def version_of(data: bytes) -> str | None:
    try:
        version = json.loads(data)["info"]["version"]
    except (ValueError, KeyError, TypeError):
        return None
    return version if isinstance(version, str) else None


@dataclass(frozen=True)
class Release:
    """A version as the history of the document shows it: its number and the commit that first had it."""

    version: str
    commit: str


def releases(count: int = 2) -> list[Release]:
    """The newest `count` versions of the document along HEAD's first-parent history, newest first, each with the
    oldest commit of its unbroken run (the commit that set it). Empty in a repository without commits.

    A shallow clone is refused when its history stops inside a run that matters (the newest two): there the
    commit that set the version cannot be told.
    """
    ensure_repository()
    if not has_commits():
        return []
    listed = git("rev-list", "--first-parent", "HEAD", "--", _top_relative(DOCUMENT))
    commits = listed.stdout.decode().split()
    if not commits:
        return []
    batch = git("cat-file", "--batch", data="".join(f"{c}:{_top_relative(DOCUMENT)}\n" for c in commits).encode())
    stream = io.BytesIO(batch.stdout)
    versions: list[str | None] = []
    for _ in commits:
        header = stream.readline().split()
        if len(header) < 3 or header[1] != b"blob":
            versions.append(None)
            continue
        body = stream.read(int(header[2]))
        stream.read(1)
        versions.append(version_of(body))
    found: list[Release] = []
    run_version, run_commit, run_closed = versions[0], commits[0], False
    for commit, version in zip(commits, versions, strict=True):
        if version != run_version:
            if run_version is not None:
                found.append(Release(run_version, run_commit))
            if len(found) == count:
                run_closed = True
                break
            run_version = version
        run_commit = commit
    if not run_closed and run_version is not None and len(found) < count:
        if is_shallow():
            raise UserError(
                f"this is a shallow clone: its history stops before the commit that set version {run_version} "
                f"of {DOCUMENT}; fetch the history (git fetch --unshallow) and run again"
            )
        found.append(Release(run_version, run_commit))
    return found
