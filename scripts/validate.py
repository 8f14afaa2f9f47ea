"""Check a captured response of GET /v1/instances/{instanceId} against the spec (`make validate FILE=...`).

Scope: one JSON file holding a response body: `{status: "OK", data: ...}`
or the `{status: "FAILED", error: ...}` envelope. It prints which runner
variant the instance matches, or every violation with its JSON path. When
the instance matches no variant, the violations shown are those of the
closest variant.

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

from kit import bundle as bundler
from kit._cli import EXIT_FAILED, EXIT_OK, UserError, display_path, read_json, run
from scripts.schema_validation import component_validator, fast_variant, instance_response_problems, violations


def kind(value: object) -> str:
    names = {list: "an array", str: "a string", bool: "a boolean", int: "a number", float: "a number"}
    return "null" if value is None else names.get(type(value), type(value).__name__)


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
