"""Check a captured response of GET /v1/instances/{instanceId} against the spec (`make validate FILE=...`).

Scope: one JSON file holding a response body: `{status: "OK", data: ...}`
or the `{status: "FAILED", error: ...}` envelope. It prints which runner
variant the instance matches, or every violation with its JSON path. When
the instance matches no variant, the violations shown are those of the
closest variant. A captured webhook delivery (an object with `event` or
`runUrl`, and neither `status` nor `data`) is checked against the spec's `webhooks` instead: it names the
delivery it is, or lists the violations of the closest one.

Input is read strictly (`kit._cli.read_json`): NaN, Infinity, a duplicate
key, a lone surrogate, an integer of more than 4,300 digits, nesting deeper
than 256 levels, a top level that is not an object, a device or FIFO, and an
unreadable path are each refused in one line.

Speed: a valid body is recognised by jsonschema-rs and confirmed against its
one variant by the pure-Python validator (the one `make check-spec` uses), so
time grows linearly with size (about a second for 10 MB); an invalid body is
explained by the pure-Python validator alone, which is slower.

Limits: it validates against the source spec (the same schemas the client
is generated from), not against the live API, and says nothing of fields
the spec does not list; the contract checks report those as drift.

Exit status: 0 when the response is valid; 1 when it violates the spec;
2 when the file cannot be used (missing, unreadable, empty, not JSON, not
a JSON object), as one line on standard error. `make validate` itself exits
2 whenever the script fails (GNU make's own status); the script's status is
the one in make's `Error N` line.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from kit import bundle as bundler
from kit._cli import EXIT_FAILED, EXIT_OK, UserError, display_path, read_json, run
from scripts.spec.payload_fixtures import operation_request_schema
from scripts.spec.schema_validation import (
    component_validator,
    fast_variant,
    instance_response_problems,
    schema_validator,
    violations,
)


def kind(value: object) -> str:
    names = {list: "an array", str: "a string", bool: "a boolean", int: "a number", float: "a number"}
    return "null" if value is None else names.get(type(value), type(value).__name__)


def delivery(document: dict[str, Any], body: dict[str, Any], where: str) -> int:
    """A webhook delivery: valid when the body of exactly one of the spec's webhooks takes it."""
    refusals: dict[str, list[str]] = {}
    for name, item in document.get("webhooks", {}).items():
        pointer = operation_request_schema(document, item["post"]["operationId"])
        refusals[name] = violations(schema_validator(document, pointer), body)
    taken = [name for name, found in refusals.items() if not found]
    if len(taken) == 1:
        print(f"{where}: valid webhook delivery: {taken[0]} ({body['event']})")
        return EXIT_OK
    closest = min(refusals, key=lambda name: len(refusals[name]))
    print(f"{where}: matches no webhook delivery; closest is {closest}:", file=sys.stderr)
    print("\n".join(f"{where}: {line}" for line in refusals[closest]), file=sys.stderr)
    print(f"{where}: {len(refusals[closest])} violation(s)", file=sys.stderr)
    return EXIT_FAILED


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Check a captured Instances API response against the spec.")
    parser.add_argument("file", type=Path, nargs="?", help="the response body, as JSON")
    args = parser.parse_args(argv)
    if args.file is None:
        raise UserError("no file given: run `make validate FILE=response.json`")
    body = read_json(args.file)
    where = display_path(args.file)
    if not isinstance(body, dict):
        raise UserError(f"{where}: the top level is {kind(body)}; a response body is a JSON object")
    document = bundler.bundle()
    if not {"data", "status"} & body.keys() and {"event", "runUrl"} & body.keys():
        return delivery(document, body, where)

    variant = fast_variant(document, body)
    if variant is not None and not violations(component_validator(document, variant), body["data"]):
        print(f"{where}: valid InstanceResponse; the instance is a {variant}")
        return EXIT_OK

    if body.get("status") == "FAILED":
        found = violations(component_validator(document, "ErrorResponse"), body)
        if not found:
            print(f"{where}: valid ErrorResponse: {body.get('error')}")
            return EXIT_OK
    else:
        match, found = instance_response_problems(document, body)
        if not found and len(match.matched) == 1:
            print(f"{where}: valid InstanceResponse; the instance is a {match.matched[0]}")
            return EXIT_OK
        if match.closest and isinstance(body.get("data"), dict):
            print(f"{where}: matches no Instance variant; closest is {match.closest}:", file=sys.stderr)
    print("\n".join(f"{where}: {line}" for line in found), file=sys.stderr)
    print(f"{where}: {len(found)} violation(s)", file=sys.stderr)
    return EXIT_FAILED


if __name__ == "__main__":
    run(main)
