"""The fixture corpus: hand-written (and recorded) responses of the API's operations.

Scope:
- `contract_tests/fixtures/index.yaml` names the 200 responses of GET
  /instances/{instanceId}: each file, the Instance variant it must match and
  decode to, and the fields it carries that the spec does not list.
- `contract_tests/fixtures/<resource>/index.yaml` (projects, runs, ...) names
  responses of the other operations: each file, its `operation` (operationId)
  and `status`, and for a run the Run variant its `data` must match.

It checks that each manifest and its folder agree; it does not validate
payloads (`scripts.spec.check_spec` does).

Errors: `FixtureError`, one line naming the manifest or fixture file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kit._cli import ROOT, UserError, display_path, read_json
from kit.yaml_files import load_yaml

FIXTURES_DIR = ROOT / "contract_tests" / "fixtures"
MANIFEST = FIXTURES_DIR / "index.yaml"


class FixtureError(UserError):
    """The manifest or a fixture file cannot be used."""


@dataclass(frozen=True)
class Fixture:
    """One fixture: its file, what it must decode to, and its known drift."""

    path: Path
    variant: str
    about: str
    unknown_fields: tuple[str, ...]
    body: dict[str, Any]

    @property
    def name(self) -> str:
        return self.path.stem

    @property
    def instance_id(self) -> str:
        return str(self.body["data"]["instanceId"])

    @property
    def project_id(self) -> str:
        return str(self.body["data"]["projectId"])


def _manifest_entries(manifest: Path) -> list[Any]:
    """The `fixtures` list of a manifest, unchecked entries."""
    document = load_yaml(manifest, FixtureError)
    entries = document.get("fixtures") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise FixtureError(f"{display_path(manifest)}: expected a mapping with a `fixtures` list")
    return entries


def load_manifest(manifest: Path = MANIFEST) -> list[dict[str, Any]]:
    entries = _manifest_entries(manifest)
    for index, entry in enumerate(entries):
        where = f"{display_path(manifest)}: fixtures[{index}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("file"), str):
            raise FixtureError(f"{where}: each entry needs a `file`")
        if not isinstance(entry.get("variant"), str):
            raise FixtureError(f"{where} ({entry['file']}): needs a `variant`")
        unknown = entry.get("unknown_fields", [])
        if not isinstance(unknown, list) or not all(isinstance(p, str) for p in unknown):
            raise FixtureError(f"{where} ({entry['file']}): `unknown_fields` must be a list of paths")
    return entries


def load_fixtures(manifest: Path = MANIFEST) -> list[Fixture]:
    """Every fixture the manifest lists, in its order. The folder must hold exactly those files."""
    entries = load_manifest(manifest)
    folder = manifest.parent
    listed = [entry["file"] for entry in entries]
    duplicates = sorted({name for name in listed if listed.count(name) > 1})
    if duplicates:
        raise FixtureError(f"{display_path(manifest)}: listed twice: {', '.join(duplicates)}")
    unlisted = sorted(p.name for p in folder.glob("*.json") if p.name not in listed)
    if unlisted:
        raise FixtureError(f"{display_path(manifest)}: does not list {', '.join(unlisted)}")
    fixtures = []
    for entry in entries:
        path = folder / entry["file"]
        body = read_json(path)
        if not isinstance(body, dict) or not isinstance(body.get("data"), dict):
            raise FixtureError(f"{display_path(path)}: expected a response body with a `data` object")
        fixtures.append(
            Fixture(
                path=path,
                variant=entry["variant"],
                about=str(entry.get("about", "")),
                unknown_fields=tuple(entry.get("unknown_fields", [])),
                body=body,
            )
        )
    ids = [f.body["data"].get("instanceId") for f in fixtures]
    repeated = sorted({str(i) for i in ids if ids.count(i) > 1})
    if repeated:
        raise FixtureError(f"{display_path(manifest)}: instanceId used by more than one fixture: {', '.join(repeated)}")
    return fixtures


@dataclass(frozen=True)
class OperationFixture:
    """One response of an operation other than getInstance: its file, operation, status and Run variant."""

    path: Path
    resource: str
    operation: str
    status: int
    variant: str | None
    about: str
    body: Any

    @property
    def name(self) -> str:
        return f"{self.resource}/{self.path.stem}"


def operation_manifests(folder: Path = FIXTURES_DIR) -> list[Path]:
    """The manifests of the per-resource fixture folders, sorted."""
    return sorted(folder.glob("*/index.yaml"))


def load_operation_fixtures(folder: Path = FIXTURES_DIR) -> list[OperationFixture]:
    """Every fixture of every resource folder, in manifest order. Each folder must hold exactly its listed files."""
    fixtures = []
    for manifest in operation_manifests(folder):
        where = display_path(manifest)
        entries = _manifest_entries(manifest)
        listed = []
        for index, entry in enumerate(entries):
            if not (
                isinstance(entry, dict)
                and isinstance(entry.get("file"), str)
                and isinstance(entry.get("operation"), str)
                and isinstance(entry.get("status"), int)
            ):
                raise FixtureError(f"{where}: fixtures[{index}]: each entry needs `file`, `operation` and `status`")
            listed.append(entry["file"])
            path = manifest.parent / entry["file"]
            fixtures.append(
                OperationFixture(
                    path=path,
                    resource=manifest.parent.name,
                    operation=entry["operation"],
                    status=entry["status"],
                    variant=entry.get("variant"),
                    about=str(entry.get("about", "")),
                    body=read_json(path),
                )
            )
        duplicates = sorted({name for name in listed if listed.count(name) > 1})
        if duplicates:
            raise FixtureError(f"{where}: listed twice: {', '.join(duplicates)}")
        unlisted = sorted(p.name for p in manifest.parent.glob("*.json") if p.name not in listed)
        if unlisted:
            raise FixtureError(f"{where}: does not list {', '.join(unlisted)}")
    return fixtures
