"""Find the fields an API response carries that the spec does not list: API drift.

Scope: a 200 response body of any operation. An instance (`inspect`), or a run (`inspect` with
`union="Run"` and `envelope="RunResponse"`), is first matched to its variant with the spec as written
(open objects); then it is validated against that variant with
`overlays/strict-contract.overlay.yaml` applied, which closes every object schema, and every field
that closed schema refuses is drift. Any other operation's body (`inspect_operation`) is validated
against the strict schema of its 200 response; inside a `oneOf` (a run's runner variants), the
closest variant explains what is refused. Paths are normalised so that the same field in every test, attempt
or map entry is one path: `[*]` stands for any array item and `*` for any map key, as in
`$.data.testResults.*.attempts[*].steps`.

Limits: a body that matches no variant has violations, not drift: they are reported as such. Only
the outermost unknown field is reported, not the fields nested inside it.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kit import bundle
from kit import openapi as oas
from kit._cli import ROOT
from kit.overlays import apply_overlay_files
from scripts.spec.schema_validation import (
    DOCUMENT_URI,
    MAX_VALUE_CHARS,
    leaves,
    match_variant,
    operation_response_schema,
    schema_validator,
)

STRICT_OVERLAY = ROOT / "overlays" / "strict-contract.overlay.yaml"
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_COMBINATORS = {"oneOf", "anyOf", "allOf"}


@dataclass
class Documents:
    """The spec as written and its strict flavour, both bundled, and the strict validators built so far."""

    spec: dict[str, Any]
    strict: dict[str, Any]
    envelopes: dict[tuple[str, str], Any] = field(default_factory=dict)  # (envelope, variant) -> validator
    operations: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, entry: Path = bundle.ENTRY, overlay: Path = STRICT_OVERLAY) -> Documents:
        spec = bundle.bundle(entry)
        return cls(spec=spec, strict=apply_overlay_files(spec, [overlay]))


@dataclass
class Finding:
    """What one response showed: its variant, its unknown fields with a value each, or its violations."""

    source: str
    operation: str | None = None  # the operationId of the response, when the caller knows it
    variant: str | None = None
    unknown: dict[str, Any] = field(default_factory=dict)
    violations: list[str] = field(default_factory=list)


def _member(name: str) -> str:
    return f".{name}" if _NAME.fullmatch(name) else f"[{name!r}]"


def pattern_path(schema_path: Iterable[Any]) -> str:
    """The normalised instance path that a schema path walks, from `$` (the response body)."""
    steps = list(schema_path)
    out, index = "$", 0
    while index < len(steps):
        keyword = steps[index]
        if keyword == "properties":
            out += _member(str(steps[index + 1]))
            index += 2
        elif keyword == "additionalProperties":
            out += ".*"
            index += 1
        elif keyword == "items":
            out += "[*]"
            index += 1
        elif keyword in _COMBINATORS:
            index += 2
        else:
            index += 1
    return out


def _strict_envelope_validator(documents: Documents, variant: str, envelope_name: str = "InstanceResponse") -> Any:
    """The strict envelope with `data` fixed to `variant`, so that no oneOf hides which fields failed."""
    key = (envelope_name, variant)
    if key not in documents.envelopes:
        envelope = copy.deepcopy(documents.strict["components"]["schemas"][envelope_name])
        envelope["properties"]["data"] = {"$ref": f"{DOCUMENT_URI}#/components/schemas/{variant}"}
        document = copy.deepcopy(documents.strict)
        document["components"]["schemas"]["_DriftEnvelope"] = envelope
        documents.envelopes[key] = schema_validator(document, "#/components/schemas/_DriftEnvelope")
    return documents.envelopes[key]


def inspect(
    documents: Documents, source: str, body: Any, union: str = "Instance", envelope: str = "InstanceResponse"
) -> Finding:
    """Match `body` to its `union` variant with the spec, then list what the strict spec refuses in it."""
    finding = Finding(source)
    data = body.get("data") if isinstance(body, dict) else None
    match = match_variant(documents.spec, union, data, "$.data")
    if len(match.matched) != 1:
        closest = match.closest
        finding.violations = match.refusals.get(closest, []) if closest else [f"$: not a {union} response"]
        return finding
    finding.variant = match.matched[0]
    collect(finding, _strict_envelope_validator(documents, finding.variant, envelope), body)
    return finding


def collect(finding: Finding, validator: Any, body: Any) -> None:
    """Record in `finding` what the strict `validator` refuses in `body`: unknown fields, or violations."""
    for error in validator.iter_errors(body):
        for leaf in leaves(error):
            if leaf.validator != "additionalProperties" or not isinstance(leaf.instance, dict):
                finding.violations.append(f"{leaf.json_path}: {leaf.message}")
                continue
            known = set(leaf.schema.get("properties", {})) if isinstance(leaf.schema, dict) else set()
            where = pattern_path(list(leaf.absolute_schema_path)[:-1])
            for name in sorted(set(leaf.instance) - known):
                finding.unknown.setdefault(where + _member(name), leaf.instance[name])


def inspect_operation(documents: Documents, source: str, operation_id: str, body: Any, status: int = 200) -> Finding:
    """List what the strict spec refuses in a `status` (200, or a create's 201) body of `operation_id`.
    Violations of the spec as written are reported as violations, not drift."""
    finding = Finding(source)
    if operation_id not in documents.operations:
        pointer = operation_response_schema(documents.spec, operation_id, status)
        documents.operations[operation_id] = (
            schema_validator(documents.spec, pointer),
            schema_validator(documents.strict, pointer),
        )
    written, strict = documents.operations[operation_id]
    finding.violations = [f"{e.json_path}: {e.message}" for e in written.iter_errors(body)]
    if not finding.violations:
        collect(finding, strict, body)
    return finding


def inspect_response(documents: Documents, source: str, operation_id: str, body: Any, status: int = 200) -> Finding:
    """`inspect` where the documented answer's `data` is a union (a run, an instance: matched to its runner
    variant first), else `inspect_operation`."""
    pointer = operation_response_schema(documents.spec, operation_id, status)
    schema = oas.resolve_pointer(documents.spec, pointer)
    schemas = documents.spec["components"]["schemas"]
    envelope = str(schema.get("$ref", "")).rsplit("/", 1)[-1]
    data = schemas.get(envelope, {}).get("properties", {}).get("data", {})
    union = str(data.get("$ref", "")).rsplit("/", 1)[-1]
    if "oneOf" in schemas.get(union, {}):
        return inspect(documents, source, body, union=union, envelope=envelope)
    return inspect_operation(documents, source, operation_id, body, status)


@dataclass(frozen=True)
class DriftField:
    """One field the spec does not list: where, an example value (as the API sent it, a JSON value), in how
    many responses, and the operations whose responses had it."""

    path: str
    example: Any
    responses: int
    operations: list[str]

    @property
    def shown(self) -> str:
        """The example as JSON text, shortened for one line."""
        return short_json(self.example)

    def as_json(self) -> dict[str, Any]:
        return {"path": self.path, "operations": self.operations, "responses": self.responses, "example": self.example}


def short_json(value: Any) -> str:
    """`value` as JSON text (what the API sent, not a Python repr), cut to one short line."""
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 3] + "..."


def summarise(findings: list[Finding]) -> list[DriftField]:
    """Every unknown field across `findings`, sorted by path, with the number of responses that had it and the
    operations they answered."""
    counts: dict[str, int] = {}
    examples: dict[str, Any] = {}
    operations: dict[str, set[str]] = {}
    for finding in findings:
        for path, value in finding.unknown.items():
            counts[path] = counts.get(path, 0) + 1
            examples.setdefault(path, value)
            operations.setdefault(path, set()).add(finding.operation or finding.source.split(" ", 1)[0])
    return [DriftField(path, examples[path], counts[path], sorted(operations[path])) for path in sorted(counts)]


def format_report(fields: list[DriftField], total: int) -> list[str]:
    """The drift table, one line a field, for the terminal."""
    if not fields:
        return [f"drift: none; every field of the {total} response(s) is in the spec"]
    width = max(len(f.path) for f in fields)
    lines = [f"drift: {len(fields)} field(s) the spec does not list, in {total} response(s):"]
    lines += [
        f"  {f.path:<{width}}  in {f.responses} of {total} ({', '.join(f.operations)})  e.g. {f.shown}" for f in fields
    ]
    return lines
