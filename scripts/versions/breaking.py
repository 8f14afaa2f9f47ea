"""Classify every change of the client since a git ref (`make breaking [BASE=<git ref>]`).

Scope: compares `generated/openapi.json` at BASE with the working tree's, rule by rule from the point of view
of the client's consumers (the rule table, and where it differs from oasdiff, is `scripts/versions/breaking.md`), and
the generated package's public Python API with griffe. Every change is one line: its level (breaking,
non-breaking or info), its JSON pointer (or `python:` and the object's dotted path), and what changed. Then
the semantic-version bump the changes need, and the changes again as lines ready to paste into CHANGELOG.md,
under Breaking, Added and Changed.

Without BASE, the base is the last release: the commit that set the newest `info.version` in the history. When
the working tree has no change since that commit, the base is the release before it, so that the report is
what that version's changelog entry describes.

Limits: reads git, so the project must be a clone (a shallow one only when its history reaches the base).

Exit status: 0 with the report (whatever it finds; `make check` enforces the version rule); 2 when BASE is not
a commit, has no generated/openapi.json, or either document is not an OpenAPI document, with one line saying so.
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kit._cli import EXIT_OK, ROOT, UserError, run
from kit.openapi import pointer_tokens
from scripts.versions import git_history
from scripts.versions.api_diff import compare_packages
from scripts.versions.payload_decode import VariantDecodeCheck
from scripts.versions.rules import Change, required_bump
from scripts.versions.spec_diff import compare_documents

DOCUMENT = ROOT / git_history.DOCUMENT
PACKAGE_DIR = ROOT / git_history.PACKAGE_DIR
GROUPS = ("Breaking", "Added", "Changed")
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


def default_base() -> tuple[str, str]:
    """(commit, label) of the last release, as the module docstring defines it."""
    version = working_document()["info"]["version"]
    found = git_history.releases()
    if not found:
        raise UserError(f"no commit has {git_history.DOCUMENT} yet: name a BASE")
    current = found[0]
    if current.version == version:
        if compare_with(current.commit, "").changes or len(found) < 2:
            return current.commit, "the last release"
        return found[1].commit, f"the release before {current.version}"
    return current.commit, "the last release"


def subject(pointer: str) -> str:
    """A short name for a pointer, for changelog lines: `Worker.workerIndex`, `GET /instances/{instanceId}`."""
    if pointer.startswith("python:"):
        return pointer.split(":", 1)[1]
    if pointer.startswith("package:"):
        return "package"
    tokens = pointer_tokens(pointer)
    if tokens[:2] == ["components", "schemas"] and len(tokens) > 2:
        rest = [t for t in tokens[3:] if t not in ("properties", "required")]
        return ".".join([tokens[2], *rest])
    if tokens[:1] == ["paths"] and len(tokens) > 2:
        return " ".join([tokens[2].upper(), tokens[1], *tokens[3:]]).strip()
    return pointer


def changelog_lines(changes: list[Change]) -> list[str]:
    lines: list[str] = []
    for group in GROUPS:
        entries = [c for c in changes if c.group == group]
        if entries:
            lines += ["", f"### {group}"]
            lines += [f"- `{subject(c.pointer)}`: {c.message}" for c in entries]
    return lines


def report(comparison: Comparison) -> list[str]:
    counts = {
        level: sum(c.level == level for c in comparison.changes) for level in ("breaking", "non-breaking", "info")
    }
    lines = [
        f"breaking-change report: {git_history.DOCUMENT} and the currents_api_client API, from {comparison.label} "
        f"({comparison.base[:12]}, version {comparison.base_version}) "
        f"to the working tree (version {comparison.version})"
    ]
    lines += [f"note: {note}" for note in comparison.notes]
    lines += [c.line() for c in comparison.changes]
    summary = ", ".join(f"{n} {level}" for level, n in counts.items())
    bump = comparison.bump
    if bump is None:
        lines.append("no change: no new version is needed")
        return lines
    need = bumped(comparison.base_version, bump) if SEMVER.match(comparison.base_version) else "?"
    lines.append(f"{summary}: a {bump} bump is needed ({comparison.base_version} -> {need})")
    lines += ["", f"Changelog lines (paste under `## {need}` in CHANGELOG.md):", *changelog_lines(comparison.changes)]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="", help="a git ref (default: the last release)")
    args = parser.parse_args(argv)
    working_document()
    if args.base:
        commit, label = git_history.resolve(args.base), f"BASE={args.base}"
    else:
        commit, label = default_base()
    print("\n".join(report(compare_with(commit, label))))
    return EXIT_OK


if __name__ == "__main__":
    run(main)
