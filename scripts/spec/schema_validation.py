"""Validate JSON against the schemas of a bundled OpenAPI 3.1 document.

Scope: JSON Schema 2020-12 (the dialect of OpenAPI 3.1) with format checks
(`date-time`, `uri`, ...), refs resolved inside the bundled document. Each
violation is one line: the JSON path of the offending value and what is
wrong with it. A failed `oneOf`/`anyOf` is reported as the error of its
closest branch, not as the whole value being "not valid under any schema".

Used by `make check` (examples and fixtures), `make validate` (a captured
response) and the contract tests.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import jsonschema_rs
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from kit import openapi as oas
from kit.bundle import escape_pointer_token

DOCUMENT_URI = "urn:currents-openapi"
MAX_VALUE_CHARS = 80


def schema_validator(document: dict[str, Any], pointer: str) -> Draft202012Validator:
    """A validator for the schema at `pointer` (like `#/components/schemas/X`) of `document`."""
    resource = Resource.from_contents(document, default_specification=DRAFT202012)
    registry: Registry[Any] = Registry().with_resource(DOCUMENT_URI, resource)
    return Draft202012Validator(
        {"$ref": DOCUMENT_URI + pointer},
        registry=registry,
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def component_validator(document: dict[str, Any], name: str) -> Draft202012Validator:
    return schema_validator(document, f"#/components/schemas/{name}")


def short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 3] + "..."


def leaves(error: ValidationError) -> list[ValidationError]:
    """The errors that explain `error`. A failed oneOf/anyOf is explained by its closest branch: one whose
    type the value has (not refused by `type` at the union's own place), then the one with the fewest
    errors, then the one whose errors got deepest into the value."""
    if not error.context:
        return [error]
    branches: dict[Any, list[ValidationError]] = {}
    for sub in error.context:
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    depth = len(error.absolute_path)

    def closeness(errors: list[ValidationError]) -> tuple[bool, int, int]:
        type_matches = not any(e.validator == "type" and len(e.absolute_path) == depth for e in errors)
        return type_matches, -len(errors), max(len(e.absolute_path) for e in errors)

    closest = max(branches.values(), key=closeness)
    return [leaf for sub in closest for leaf in leaves(sub)]


def describe(error: ValidationError) -> str:
    """One line: where the value is and what is wrong with it."""
    if error.validator in ("required", "additionalProperties", "unevaluatedProperties"):
        what = error.message
    elif error.validator in ("type", "const", "enum", "format", "not"):
        what = f"{short(error.instance)} fails {error.validator}: {short(error.validator_value)}"
    else:
        what = error.message if len(error.message) <= 160 else error.message[:157] + "..."
    return f"{error.json_path}: {what}"


def violations(validator: Draft202012Validator, instance: Any, prefix: str = "$") -> list[str]:
    """Every violation of `instance`, one line each, sorted by path. `prefix` replaces the root `$`."""
    lines = {describe(leaf) for error in validator.iter_errors(instance) for leaf in leaves(error)}
    return sorted(prefix + line[1:] for line in lines)


@dataclass
class VariantMatch:
    """Which `oneOf` variants of a union a value matches, and why the others refuse it."""

    matched: list[str] = field(default_factory=list)
    refusals: dict[str, list[str]] = field(default_factory=dict)

    @property
    def closest(self) -> str | None:
        """The refusing variant with the fewest violations, when none matched."""
        if self.matched or not self.refusals:
            return None
        return min(self.refusals, key=lambda name: len(self.refusals[name]))


def union_variants(document: dict[str, Any], union: str) -> list[str]:
    """The component names listed by the `oneOf` of component `union`, in order."""
    schema = document["components"]["schemas"][union]
    return [branch["$ref"].rsplit("/", 1)[-1] for branch in schema["oneOf"]]


def match_variant(document: dict[str, Any], union: str, value: Any, prefix: str = "$") -> VariantMatch:
    result = VariantMatch()
    for name in union_variants(document, union):
        found = violations(component_validator(document, name), value, prefix)
        if found:
            result.refusals[name] = found
        else:
            result.matched.append(name)
    return result


def fast_variant(document: dict[str, Any], body: Any) -> str | None:
    """The one Instance variant of a body that jsonschema-rs finds a valid InstanceResponse, else None.

    A fast first pass (hundreds of times faster than the pure-Python validator on large bodies): the caller
    confirms the variant with `component_validator`, so the verdict stays the one `make check-spec` gives;
    None sends the caller to `instance_response_problems`, which explains every violation."""
    schemas = {"components": {"schemas": document["components"]["schemas"]}}

    def valid(name: str, value: Any) -> bool:
        schema = {"$ref": f"#/components/schemas/{name}", **schemas}
        return bool(jsonschema_rs.validator_for(schema, validate_formats=True).is_valid(value))

    if not valid("InstanceResponse", body):
        return None
    matched = [name for name in union_variants(document, "Instance") if valid(name, body["data"])]
    return matched[0] if len(matched) == 1 else None


def instance_response_problems(document: dict[str, Any], body: Any) -> tuple[VariantMatch, list[str]]:
    """How `body` fares as an InstanceResponse: the variants its `data` matches, and every violation. When
    `data` matches no variant, its violations are those of the closest variant."""
    found = violations(component_validator(document, "InstanceResponse"), body)
    data = body.get("data") if isinstance(body, dict) else None
    match = match_variant(document, "Instance", data, "$.data")
    if match.closest and isinstance(data, dict):
        outside_data = [v for v in found if not v.startswith(("$.data:", "$.data.", "$.data["))]
        found = sorted(set(outside_data) | set(match.refusals[match.closest]))
    return match, found


def iter_examples(document: dict[str, Any]) -> Iterator[tuple[str, Any, dict[str, Any]]]:
    """Every (JSON pointer, example value, schema) of the operations' parameters and media types, those of
    `paths` and those of the top-level `webhooks` (the deliveries Currents sends)."""
    examples = document.get("components", {}).get("examples", {})

    def resolve(example: dict[str, Any]) -> dict[str, Any]:
        ref = example.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/examples/"):
            return dict(examples[ref.rsplit("/", 1)[-1]])
        return example

    def from_holder(pointer: str, holder: dict[str, Any]) -> Iterator[tuple[str, Any, dict[str, Any]]]:
        schema = holder.get("schema")
        if schema is None:
            return
        if "example" in holder:
            yield f"{pointer}/example", holder["example"], schema
        for name, example in (holder.get("examples") or {}).items():
            resolved = resolve(example)
            if "value" in resolved:
                yield f"{pointer}/examples/{name}", resolved["value"], schema

    responses = document.get("components", {}).get("responses", {})
    parameters = document.get("components", {}).get("parameters", {})
    seen_parameters: set[str] = set()
    items = [("paths", path, item) for path, item in document.get("paths", {}).items()]
    items += [("webhooks", name, item) for name, item in document.get("webhooks", {}).items()]
    for section, path, item in items:
        escaped = escape_pointer_token(path)
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            base = f"#/{section}/{escaped}/{method}"
            for index, parameter in enumerate(operation.get("parameters", [])):
                ref = parameter.get("$ref", "")
                if ref.startswith("#/components/parameters/"):
                    if ref not in seen_parameters:  # a shared parameter's examples are checked once
                        seen_parameters.add(ref)
                        yield from from_holder(ref, parameters[ref.rsplit("/", 1)[-1]])
                    continue
                yield from from_holder(f"{base}/parameters/{index}", parameter)
            for media, content in ((operation.get("requestBody") or {}).get("content") or {}).items():
                yield from from_holder(f"{base}/requestBody/content/{media.replace('/', '~1')}", content)
            for status, response in operation["responses"].items():
                pointer = f"{base}/responses/{status}"
                ref = response.get("$ref", "")
                if ref.startswith("#/components/responses/"):
                    pointer = ref
                    response = responses[ref.rsplit("/", 1)[-1]]
                for media, content in (response.get("content") or {}).items():
                    yield from from_holder(f"{pointer}/content/{media.replace('/', '~1')}", content)


def operation_response_schema(document: dict[str, Any], operation_id: str, status: int) -> str:
    """The JSON pointer of the application/json schema that operation `operation_id` documents for `status`,
    found by exact status, then by range (`5XX`), then `default`. Raises LookupError naming what is missing."""
    for path, method, operation in oas.operations(document):
        if operation.get("operationId") != operation_id:
            continue
        escaped = escape_pointer_token(path)
        responses = operation.get("responses", {})
        for key in (str(status), f"{str(status)[0]}XX", "default"):
            if key in responses:
                pointer = f"#/paths/{escaped}/{method}/responses/{key}"
                response = responses[key]
                ref = response.get("$ref", "")
                if ref.startswith("#/components/responses/"):
                    pointer, response = ref, document["components"]["responses"][ref.rsplit("/", 1)[-1]]
                if "application/json" not in (response.get("content") or {}):
                    raise LookupError(f"{operation_id} documents no JSON body for {status}")
                return f"{pointer}/content/application~1json/schema"
        raise LookupError(f"{operation_id} does not document status {status}")
    raise LookupError(f"no operation {operation_id!r}")
