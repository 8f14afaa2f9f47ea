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

from kit._cli import EXIT_OK, UserError, run
from kit.openapi import pointer_tokens
from scripts.versions import git_history
from scripts.versions.comparison import SEMVER, Comparison, bumped, compare_with, working_document
from scripts.versions.rules import Change

GROUPS = ("Breaking", "Added", "Changed")


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
