"""Refuse a `generated/` that no longer matches its sources (`make check-generated`).

Scope: renders the whole `generated/` tree into a temporary folder, exactly
as `make generate` does, and compares it file by file with the committed
one. A hand edit of a generated file, a file added or removed by hand, or a
change of the spec, an overlay, the generator config or a template that was
not regenerated all show as differences. Bytecode caches and build output
(`__pycache__`, `*.pyc`, `build/`, `dist/`, `*.egg-info`) are not compared,
nor is the package's hand-written `currents_api_client/lib/`, which the
generator does not own (`scripts/spec/sources.py`, `HAND_WRITTEN`): it is
linted, type-checked and tested as written.

Exit status: 0 when the trees are identical; 1 when they differ (the first
differing files are printed, with the start of the first diff, and the
command that fixes it); 2 when the sources cannot be generated at all.
"""

from __future__ import annotations

import argparse
import difflib
import sys
import tempfile
from pathlib import Path

from kit._cli import EXIT_FAILED, EXIT_OK, display_path, run
from scripts.spec.render import render
from scripts.spec.sources import GENERATED, HAND_WRITTEN_PART

IGNORED_DIRS = {"__pycache__", "build", "dist", ".mypy_cache", ".ruff_cache", ".pytest_cache"}
SHOWN = 10
DIFF_LINES = 12


def tree(root: Path) -> dict[str, bytes]:
    """Every compared file below `root`, by its relative path."""
    files = {}
    for path in sorted(root.rglob("*")):
        parts = path.relative_to(root).parts
        if any(p in IGNORED_DIRS or p.endswith(".egg-info") for p in parts) or path.suffix == ".pyc":
            continue
        if path.relative_to(root).as_posix().startswith(HAND_WRITTEN_PART + "/"):
            continue  # hand-written, not the generator's
        if path.is_file():
            files[path.relative_to(root).as_posix()] = path.read_bytes()
    return files


def differences(committed: dict[str, bytes], fresh: dict[str, bytes]) -> list[tuple[str, str]]:
    """(kind, relative path) for every file that differs, sorted by path."""
    found = []
    for name in sorted(set(committed) | set(fresh)):
        if name not in fresh:
            found.append(("not generated from the sources", name))
        elif name not in committed:
            found.append(("missing", name))
        elif committed[name] != fresh[name]:
            found.append(("differs", name))
    return found


def first_diff(name: str, committed: bytes, fresh: bytes) -> list[str]:
    lines = difflib.unified_diff(
        committed.decode("utf-8", "replace").splitlines(),
        fresh.decode("utf-8", "replace").splitlines(),
        f"committed/{name}",
        f"regenerated/{name}",
        lineterm="",
        n=1,
    )
    return list(lines)[:DIFF_LINES]


def compare() -> tuple[dict[str, bytes], dict[str, bytes], list[tuple[str, str]]]:
    """The committed tree, a freshly rendered one, and their differences."""
    with tempfile.TemporaryDirectory(prefix="check-generated-") as scratch:
        fresh_root = Path(scratch) / "generated"
        render(fresh_root)
        committed, fresh = tree(GENERATED), tree(fresh_root)
    return committed, fresh, differences(committed, fresh)


def main(argv: list[str] | None = None) -> int:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args(argv)
    committed, fresh, found = compare()
    where = display_path(GENERATED)
    if not found:
        print(f"check-generated: {where}/ matches its sources ({len(fresh)} files)")
        return EXIT_OK
    print(f"check-generated: {where}/ does not match its sources; {len(found)} file(s) differ:", file=sys.stderr)
    for kind, name in found[:SHOWN]:
        print(f"  {kind}: {where}/{name}", file=sys.stderr)
    if len(found) > SHOWN:
        print(f"  ... and {len(found) - SHOWN} more", file=sys.stderr)
    kind, name = next(((k, n) for k, n in found if k == "differs"), found[0])
    if kind == "differs":
        print("\n".join(first_diff(name, committed[name], fresh[name])), file=sys.stderr)
    print(
        "Generated files are never edited by hand. To fix: run `make generate` and commit the result.", file=sys.stderr
    )
    return EXIT_FAILED


if __name__ == "__main__":
    run(main)
