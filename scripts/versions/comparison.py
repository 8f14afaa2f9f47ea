"""Every change of the client since a commit, and the semantic-version arithmetic of the version rule.

Scope: the document at a commit and in the working tree (`generated/openapi.json`, read strictly: a
`UserError` names the file when it is not JSON or not an OpenAPI document), compared rule by rule
(`scripts/versions/spec_diff.py`, a new response variant checked by decoding with both clients), and the
generated package's Python API at both (`scripts/versions/api_diff.py`): one `Comparison`. And the versions:
`parse_version`, `bumped` (the version a bump gives) and `bump_between` (the bump from one version to
another). `make breaking` reports a comparison, `make check-version` holds `info.version` to it.
"""

from __future__ import annotations

import json
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kit._cli import ROOT, UserError
from scripts.versions import git_history
from scripts.versions.api_diff import compare_packages
from scripts.versions.payload_decode import VariantDecodeCheck
from scripts.versions.rules import Change, required_bump
from scripts.versions.spec_diff import compare_documents

DOCUMENT = ROOT / git_history.DOCUMENT
PACKAGE_DIR = ROOT / git_history.PACKAGE_DIR
SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")
BUMPS = ("patch", "minor", "major")


def parse_document(data: bytes, where: str) -> dict[str, Any]:
    """The OpenAPI document in `data`; a `UserError` naming `where` when it is not JSON or not such a document."""
    try:
        document = json.loads(data)
    except UnicodeDecodeError:
        raise UserError(f"{where}: not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise UserError(f"{where}:{exc.lineno}:{exc.colno}: not JSON: {exc.msg}") from None
    if not isinstance(document, dict) or not isinstance(document.get("openapi"), str):
        raise UserError(f"{where}: not an OpenAPI document (no `openapi` version at the top)")
    if not isinstance(document.get("paths", {}), dict):
        raise UserError(f"{where}: /paths is not an object")
    info = document.get("info")
    if not isinstance(info, dict) or not isinstance(info.get("version"), str):
        raise UserError(f"{where}: /info/version is missing or not a string")
    return document


def working_document() -> dict[str, Any]:
    try:
        data = DOCUMENT.read_bytes()
    except FileNotFoundError:
        raise UserError(f"{git_history.DOCUMENT}: no such file; run `make generate`") from None
    return parse_document(data, git_history.DOCUMENT)


def parse_version(version: str, where: str) -> tuple[int, int, int]:
    match = SEMVER.match(version)
    if not match:
        raise UserError(f"{where}: info.version {version!r} is not a semantic version MAJOR.MINOR.PATCH")
    major, minor, patch = (int(part) for part in match.groups())
    return major, minor, patch


def bumped(version: str, bump: str) -> str:
    major, minor, patch = parse_version(version, "version")
    if bump == "major":
        return f"{major + 1}.0.0"
    if bump == "minor":
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"


def bump_between(old: str, new: str) -> str | None:
    """Which part `new` raises over `old`: major, minor or patch; None when it is not higher."""
    a, b = parse_version(old, "base"), parse_version(new, git_history.DOCUMENT)
    if b[0] != a[0]:
        return "major" if b[0] > a[0] else None
    if b[1] != a[1]:
        return "minor" if b[1] > a[1] else None
    return "patch" if b[2] > a[2] else None


@dataclass
class Comparison:
    base: str  # the commit
    label: str  # how the user named it
    base_version: str
    version: str
    changes: list[Change] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def bump(self) -> str | None:
        return required_bump(self.changes)

    def first(self) -> Change | None:
        return self.changes[0] if self.changes else None


def compare_with(commit: str, label: str) -> Comparison:
    """Every change from `commit` to the working tree: the document, then the package."""
    raw = git_history.read_at(commit, git_history.DOCUMENT)
    if raw is None:
        raise UserError(f"{label}: that commit has no {git_history.DOCUMENT}")
    old = parse_document(raw, f"{git_history.DOCUMENT} at {label}")
    new = working_document()
    comparison = Comparison(commit, label, old["info"]["version"], new["info"]["version"])
    with tempfile.TemporaryDirectory(prefix="breaking-") as scratch:
        old_package = git_history.extract_at(commit, git_history.PACKAGE_DIR, Path(scratch))
        if old_package is None:
            comparison.notes.append(f"{label} has no {git_history.PACKAGE_DIR}: its Python API was not compared")
            comparison.changes = compare_documents(old, new, None)
            return comparison
        check = VariantDecodeCheck(old, old_package, new, PACKAGE_DIR)
        changes = compare_documents(old, new, check)
        changes += compare_packages(old_package, comparison.base_version, PACKAGE_DIR, comparison.version)
    order = {"breaking": 0, "non-breaking": 1, "info": 2}
    comparison.changes = sorted(changes, key=lambda c: order[c.level])
    return comparison
