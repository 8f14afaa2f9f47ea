"""Compare the generated package's public Python API, and its files, between two checkouts.

Scope: `currents_api_client` as found under two package roots (folders that hold it). griffe, pinned, reads
both statically (nothing is imported) and finds what breaks callers: a removed or renamed class, function or
attribute, a changed signature, an incompatible return type. griffe does not compare attribute annotations,
so this module does: a public attribute whose annotation changed at all (`str | Unset` to `str | None`) is
breaking, since a reader's type checks were written against the old one. Public objects that are new are
reported as additions. Any other difference in the package's files (an implementation change that keeps the
API, the README, the dependencies) is one `info` change, since the installed package is no longer the same.
The package's CHANGELOG.md, and the version string in its pyproject.toml and `__version__`, are the release
itself and are not compared.
"""

from __future__ import annotations

import logging
from pathlib import Path

import griffe

from scripts.versions.rules import Change

PACKAGE = "currents_api_client"
NOT_COMPARED = {"CHANGELOG.md"}
IGNORED_PARTS = {"__pycache__", "build", "dist", ".mypy_cache", ".ruff_cache", ".pytest_cache"}


def load(package_root: Path) -> griffe.Module:
    """The package's API as griffe reads it from source, without importing it."""
    logging.getLogger("griffe").setLevel(logging.ERROR)
    module = griffe.GriffeLoader(search_paths=[str(package_root)]).load(PACKAGE)
    assert isinstance(module, griffe.Module)
    return module


def _annotations(obj: griffe.Object | griffe.Alias, found: dict[str, str]) -> None:
    """Path -> annotation of every public attribute under `obj` that has one."""
    for name, member in obj.members.items():
        if name.startswith("_") or member.is_alias or (not member.is_public and not member.is_module):
            continue
        if isinstance(member, griffe.Attribute) and member.annotation is not None:
            found[member.path] = str(member.annotation)
        if member.is_module or member.is_class:
            _annotations(member, found)


def _public(obj: griffe.Object | griffe.Alias, found: dict[str, str]) -> None:
    for name, member in obj.members.items():
        if name.startswith("_") or member.is_alias:
            continue
        if not member.is_public and not member.is_module:
            continue
        if member.is_attribute and str(getattr(member, "value", "")).startswith("TypeVar("):
            continue  # the `T = TypeVar(...)` of each generated model module is typing plumbing, not API
        found[member.path] = member.kind.value
        if member.is_module or member.is_class:
            _public(member, found)


def _value(value: object) -> str:
    if isinstance(value, griffe.Object | griffe.Alias):
        return value.path
    return str(value)


def api_changes(old_root: Path, new_root: Path) -> list[Change]:
    """The public API's breaking changes (griffe's), then its additions."""
    old, new = load(old_root), load(new_root)
    changes = []
    for breakage in griffe.find_breaking_changes(old, new):
        kind = breakage.kind
        if kind is griffe.BreakageKind.OBJECT_REMOVED:
            changes.append(
                Change("breaking", f"python:{breakage.obj.path}", "python-api-removed", f"{kind.value} (griffe)")
            )
        else:
            detail = f"{_value(breakage.old_value)} -> {_value(breakage.new_value)}"
            changes.append(
                Change("breaking", f"python:{breakage.obj.path}", "python-api-changed", f"{kind.value}: {detail}")
            )
    old_annotations: dict[str, str] = {}
    new_annotations: dict[str, str] = {}
    _annotations(old, old_annotations)
    _annotations(new, new_annotations)
    for path in sorted(old_annotations.keys() & new_annotations.keys()):
        if old_annotations[path] != new_annotations[path]:
            detail = f"attribute annotation changed: {old_annotations[path]} -> {new_annotations[path]}"
            changes.append(Change("breaking", f"python:{path}", "python-api-changed", detail))
    old_public: dict[str, str] = {}
    new_public: dict[str, str] = {}
    _public(old, old_public)
    _public(new, new_public)
    added = new_public.keys() - old_public.keys()
    for path in sorted(added):
        parent = path.rsplit(".", 1)[0]
        added_kind = new_public[path]
        # Inside something new: a new module shows through its classes (a model) or as itself (an
        # operation's functions), and a new class through its name alone.
        if parent in added and (new_public[parent] != "module" or added_kind != "class"):
            continue
        if added_kind == "module" and any(
            new_public[p] == "class" and p.rsplit(".", 1)[0] == path for p in added if p.startswith(path + ".")
        ):
            continue
        changes.append(Change("non-breaking", f"python:{path}", "python-api-added", f"public {added_kind} added"))
    return changes


def package_files(package_root: Path, version: str | None) -> dict[str, bytes]:
    """The package's compared files under `package_root` (the project folder), by relative path."""
    files = {}
    for path in sorted(package_root.rglob("*")):
        relative = path.relative_to(package_root)
        if any(p in IGNORED_PARTS or p.endswith(".egg-info") for p in relative.parts) or path.suffix == ".pyc":
            continue
        if not path.is_file() or relative.as_posix() in NOT_COMPARED:
            continue
        data = path.read_bytes()
        if version and path.suffix in (".toml", ".py"):  # pyproject's version, and __version__
            data = data.replace(f'"{version}"'.encode(), b'"<version>"')
        files[relative.as_posix()] = data
    return files


def compare_packages(old_root: Path, old_version: str | None, new_root: Path, new_version: str | None) -> list[Change]:
    """Every change of the package between two project folders: its API, and any other file."""
    old_files, new_files = package_files(old_root, old_version), package_files(new_root, new_version)
    differing = sorted(
        name for name in old_files.keys() | new_files.keys() if old_files.get(name) != new_files.get(name)
    )
    if not differing:
        return []
    changes = []
    if any(name.endswith(".py") for name in differing):
        changes = api_changes(old_root, new_root)
    shown = ", ".join(differing[:3]) + (f" and {len(differing) - 3} more" if len(differing) > 3 else "")
    changes.append(
        Change(
            "info",
            "package:currents-api-client",
            "python-package-changed",
            f"{len(differing)} file(s) of the package changed: {shown}",
        )
    )
    return changes
