"""Where the client is generated from and into, and the inputs checked before the generator sees them.

Scope: the paths of `make generate`'s inputs (the spec's client overlay, `generator/config.yaml` and
`generator/package.yaml`, the templates, LICENSE, CHANGELOG.md) and of its output (`generated/`, the bundled
document, the package, and the package's hand-written `lib/`, which the generator never owns). Then the checks
of the inputs: the package metadata against its schema, the spec's license, and the client document (the
bundled spec with the client overlay): it must have operations and no `$ref` that points nowhere.

Errors: `GenerationError`, one line naming the input at fault.
"""

from __future__ import annotations

from typing import Any

import jsonschema

from kit import bundle
from kit import openapi as oas
from kit._cli import ROOT, UserError, display_path
from kit.overlays import apply_overlay_files
from kit.yaml_files import load_yaml

GENERATED = ROOT / "generated"
CLIENT_OVERLAY = ROOT / "overlays" / "client.overlay.yaml"
GENERATOR_CONFIG = ROOT / "generator" / "config.yaml"
PACKAGE_METADATA = ROOT / "generator" / "package.yaml"
LICENSE = ROOT / "LICENSE"
CHANGELOG = ROOT / "CHANGELOG.md"
TEMPLATES = ROOT / "generator" / "templates"
BUNDLED_NAME = "openapi.json"
PROJECT_NAME = "currents-api-client"
# The hand-written modules of the package, relative to generated/: never generated, never copied.
HAND_WRITTEN_PART = f"{PROJECT_NAME}/currents_api_client/lib"
HAND_WRITTEN = GENERATED / HAND_WRITTEN_PART


class GenerationError(UserError):
    """A step of the generation failed; the message names the input at fault."""


# The shape generator/package.yaml must have; the template relies on every key.
_URL = {"type": "string", "pattern": '^https://[^\\s"]+$'}
_TEXT = {"type": "string", "minLength": 1, "pattern": '^[^"\\\\\\n]+$'}  # fits a TOML string as it is
PACKAGE_METADATA_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["authors", "keywords", "python_versions", "classifiers", "urls"],
    "properties": {
        "authors": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "minProperties": 1,
                "properties": {"name": _TEXT, "email": _TEXT},
            },
        },
        "keywords": {"type": "array", "items": _TEXT},
        "python_versions": {"type": "array", "minItems": 1, "items": {"type": "string", "pattern": "^3\\.[0-9]+$"}},
        "classifiers": {"type": "array", "items": _TEXT},
        "urls": {
            "type": "object",
            "required": ["Homepage", "Documentation", "Changelog", "Issues"],
            "additionalProperties": _URL,
            "propertyNames": {"pattern": "^[A-Za-z][A-Za-z ]*$"},
        },
    },
}


def package_metadata() -> dict[str, Any]:
    """generator/package.yaml, checked against PACKAGE_METADATA_SCHEMA."""
    where = display_path(PACKAGE_METADATA)
    metadata = load_yaml(PACKAGE_METADATA, GenerationError)
    error = jsonschema.exceptions.best_match(
        jsonschema.Draft202012Validator(PACKAGE_METADATA_SCHEMA).iter_errors(metadata)
    )
    if error is not None:
        path = "/".join(str(p) for p in error.absolute_path) or "(top level)"
        raise GenerationError(f"{where}: {path}: {error.message}")
    return dict(metadata)


def spec_info(document: dict[str, Any]) -> dict[str, Any]:
    """The spec's `info`, which must name the package's license as an SPDX identifier."""
    info: dict[str, Any] = document["info"]
    if not isinstance(info.get("license"), dict) or not info["license"].get("identifier"):
        raise GenerationError(
            f"{display_path(bundle.ENTRY)}: /info/license/identifier: the package's license is missing"
        )
    return info


def check_client_document(document: dict[str, Any]) -> None:
    """Refuse a document the generator would turn into a useless or partial client, in one line."""
    source = f"{display_path(bundle.ENTRY)} (bundled, with {display_path(CLIENT_OVERLAY)})"
    if not any(oas.operations(document)):
        raise GenerationError(f"{source}: no operations left under `paths`: the client would have no endpoints")
    broken = oas.dangling_ref(document)
    if broken is not None:
        raise GenerationError(f"{source}: {broken[0]}: $ref {broken[1]!r} points to nothing")


def client_document() -> dict[str, Any]:
    """The bundled source spec with the client overlay applied, checked as `check_client_document` says."""
    document: dict[str, Any] = apply_overlay_files(bundle.bundle(), [CLIENT_OVERLAY])
    check_client_document(document)
    return document
