"""Check a captured response of GET /v1/instances/{instanceId} against the spec (`make validate FILE=...`).

Scope: one JSON file holding a response body: `{status: "OK", data: ...}`
or the `{status: "FAILED", error: ...}` envelope. It prints which runner
variant the instance matches, or every violation with its JSON path. When
the instance matches no variant, the violations shown are those of the
closest variant.

Limits: it validates against the source spec (the same schemas the client
is generated from), not against the live API, and says nothing of fields
the spec does not list; the contract checks report those as drift.

Exit status: 0 when the response is valid; 1 when it violates the spec;
2 when the file cannot be used (missing, empty, not JSON).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scripts import bundle as bundler
from scripts._cli import EXIT_FAILED, EXIT_OK, UserError, display_path, read_json, run
from scripts.schema_validation import component_validator, instance_response_problems, violations


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Check a captured Instances API response against the spec.")
    parser.add_argument("file", type=Path, nargs="?", help="the response body, as JSON")
    args = parser.parse_args(argv)
    if args.file is None:
        raise UserError("no file given: run `make validate FILE=response.json`")
    body = read_json(args.file)
    where = display_path(args.file)
    document = bundler.bundle()

    if isinstance(body, dict) and body.get("status") == "FAILED":
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
