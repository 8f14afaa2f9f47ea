"""Enforce the version rule (`make check-version`, part of `make check`).

The rule: `info.version` of `generated/openapi.json` is the client package's semantic version. Any change of
that document or of the generated package since the commit that set the current version needs a new version:
a patch bump for `info` changes only, minor for non-breaking ones, major when anything breaks (the rules are
`scripts/versions/breaking.md`). And CHANGELOG.md has an entry (`## X.Y.Z`) for the current version.

How: the baseline is found from git history, so a clean clone needs nothing else. Along HEAD's first-parent
history of the document, the commit where the current version first appeared is its release. When the
working tree differs from it, the version must move. When the version is new (in the working tree, or set by
the newest commits), the bump over the previous version must be as large as the changes since the commit
that set that previous version. The first version ever recorded needs no bump.

Output: one line. On failure it names the required bump and the first change that requires it.

Exit status: 0 when the rule holds; 1 when it does not (a missing or too small bump, a missing changelog
entry); 2 when it cannot be checked (not a git repository, a shallow clone whose history stops before the
baseline, a document or version that cannot be read), with one line saying why.
"""

from __future__ import annotations

import argparse
import re
import sys

from kit._cli import EXIT_FAILED, EXIT_OK, ROOT, UserError, run
from scripts.versions import git_history
from scripts.versions.comparison import (
    BUMPS,
    Comparison,
    bump_between,
    bumped,
    compare_with,
    parse_version,
    working_document,
)

CHANGELOG = ROOT / "CHANGELOG.md"
ENTRY = re.compile(r"^##\s+\[?v?(\d+\.\d+\.\d+)\]?(?:\s|$)", re.MULTILINE)


def changelog_versions() -> set[str]:
    try:
        return set(ENTRY.findall(CHANGELOG.read_text(encoding="utf-8")))
    except FileNotFoundError:
        raise UserError("CHANGELOG.md: no such file; it holds an entry per version of the client") from None


def _first(comparison: Comparison, bump: str) -> str:
    level = {"major": "breaking", "minor": "non-breaking", "patch": "info"}[bump]
    change = next((c for c in comparison.changes if c.level == level), comparison.changes[0])
    kind = "first breaking change" if level == "breaking" else "first change"
    return f"{kind}: {change.pointer}: {change.message}"


def check() -> tuple[int, str]:
    version = working_document()["info"]["version"]
    parse_version(version, git_history.DOCUMENT)
    releases = git_history.releases()
    previous = None
    if releases and releases[0].version == version:
        release = releases[0]
        since = compare_with(release.commit, release.commit[:12])
        if since.bump is not None:
            need = since.bump
            return EXIT_FAILED, (
                f"check-version: generated/ changed since {version} was set in {release.commit[:12]}, and the version "
                f"did not move: a {need} bump is required ({version} -> {bumped(version, need)}); "
                f"{_first(since, need)} (make breaking lists every change)"
            )
        previous = releases[1] if len(releases) > 1 else None
    elif releases:
        previous = releases[0]
    if previous is not None:
        have = bump_between(previous.version, version)
        if have is None:
            return (
                EXIT_FAILED,
                f"check-version: version {version} is not higher than the previous one, {previous.version}",
            )
        since = compare_with(previous.commit, previous.commit[:12])
        needed = since.bump
        if needed is not None and BUMPS.index(have) < BUMPS.index(needed):
            return EXIT_FAILED, (
                f"check-version: {previous.version} -> {version} is a {have} bump, but the changes since "
                f"{previous.version} ({previous.commit[:12]}) need a {needed} bump "
                f"({bumped(previous.version, needed)}); {_first(since, needed)} "
                f"(make breaking BASE={previous.commit[:12]} lists every change)"
            )
    if version not in changelog_versions():
        return EXIT_FAILED, (
            f"check-version: CHANGELOG.md has no entry for {version}: add a `## {version}` section "
            "(make breaking prints its lines)"
        )
    if previous is None and not releases:
        return EXIT_OK, f"check-version: {version} is the first version recorded; CHANGELOG.md has its entry"
    where = f"since {previous.version} ({previous.commit[:12]})" if previous else "(the first version recorded)"
    return EXIT_OK, f"check-version: {version} covers the changes {where}; CHANGELOG.md has its entry"


def main(argv: list[str] | None = None) -> int:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args(argv)
    status, line = check()
    print(line, file=sys.stderr if status else sys.stdout)
    return status


if __name__ == "__main__":
    run(main)
