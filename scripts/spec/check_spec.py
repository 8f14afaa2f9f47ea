"""Check the source spec, its examples and the fixture corpus (`make check-spec`).

Scope:
1. The split source (`openapi/currents.yaml` and the files it references)
   bundles into one document.
2. That document is a valid OpenAPI 3.1 document (openapi-spec-validator).
3. Every example of a parameter or a response validates against its schema,
   as JSON Schema 2020-12 with format checks.
4. Every fixture listed in `contract_tests/fixtures/index.yaml` validates
   against `InstanceResponse`, and its `data` matches exactly one Instance
   variant: the one the manifest names.
5. Every fixture of the per-resource folders (`contract_tests/fixtures/<resource>/`)
   validates against the schema its operation documents for its status, and a
   run's `data` matches exactly one Run variant: the one the manifest names.
6. Every request-body fixture (`<resource>/requests/`) validates against its
   operation's request body, and every broken fixture (`<resource>/broken/`) is
   refused, at the place its manifest names (scripts.spec.payload_fixtures).
7. Every webhook delivery fixture (`webhook-deliveries/valid/`) validates against its webhook's body, and
   every refused one (`webhook-deliveries/refused/`) is refused where its manifest says.

Limits: it checks what a schema can say. Whether the generated client
decodes a payload is the tests' job.

Exit status: 0 when everything holds; 1 when something does not (every
problem is printed, one line each, with its file and JSON path); 2 when an
input cannot be read at all.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from openapi_spec_validator import OpenAPIV31SpecValidator

from kit import bundle as bundler
from kit._cli import EXIT_FAILED, EXIT_OK, display_path, run
from kit.fixtures import FIXTURES_DIR, MANIFEST, load_fixtures, load_operation_fixtures
from scripts.spec.payload_fixtures import broken_fixture_problems, delivery_fixture_problems, request_fixture_problems
from scripts.spec.schema_validation import (
    instance_response_problems,
    iter_examples,
    match_variant,
    operation_response_schema,
    schema_validator,
    violations,
)

SOURCE = display_path(bundler.ENTRY)


def spec_problems(document: dict[str, Any]) -> list[str]:
    problems = []
    for error in OpenAPIV31SpecValidator(document).iter_errors():
        problems.append(f"{SOURCE}: {error.json_path}: {error.message.splitlines()[0]}")
    return problems


def example_problems(document: dict[str, Any]) -> list[str]:
    problems = []
    for pointer, value, schema in iter_examples(document):
        if "$ref" in schema and len(schema) == 1:
            validator = schema_validator(document, schema["$ref"])
        else:
            validator = schema_validator(document, pointer.rsplit("/", 2)[0] + "/schema")
        problems += [f"{SOURCE}#{pointer[1:]}: {line}" for line in violations(validator, value, "$.value")]
    return problems


def fixture_problems(document: dict[str, Any], manifest: Path = MANIFEST) -> tuple[int, list[str]]:
    fixtures = load_fixtures(manifest)
    problems = []
    for fixture in fixtures:
        where = display_path(fixture.path)
        match, found = instance_response_problems(document, fixture.body)
        if found:
            suffix = f" (as {match.closest})" if match.closest else ""
            problems += [f"{where}: {line}{suffix}" for line in found]
        elif match.matched != [fixture.variant]:
            problems.append(f"{where}: matches {', '.join(match.matched)}, but the manifest expects {fixture.variant}")
    return len(fixtures), problems


def operation_fixture_problems(document: dict[str, Any], folder: Path = FIXTURES_DIR) -> tuple[int, list[str]]:
    fixtures = load_operation_fixtures(folder)
    problems = []
    for fixture in fixtures:
        where = display_path(fixture.path)
        try:
            pointer = operation_response_schema(document, fixture.operation, fixture.status)
        except LookupError as exc:
            problems.append(f"{where}: {exc}")
            continue
        problems += [f"{where}: {line}" for line in violations(schema_validator(document, pointer), fixture.body)]
        if fixture.variant is not None:
            data = fixture.body.get("data") if isinstance(fixture.body, dict) else None
            match = match_variant(document, "Run", data, "$.data")
            if match.matched != [fixture.variant]:
                found = ", ".join(match.matched) or f"no variant (closest {match.closest})"
                problems.append(f"{where}: matches {found}, but the manifest expects {fixture.variant}")
    return len(fixtures), problems


def main() -> int:
    document = bundler.bundle()
    problems = spec_problems(document)
    if problems:  # examples and fixtures cannot be judged against an invalid spec
        print("\n".join(problems), file=sys.stderr)
        return EXIT_FAILED
    examples = list(iter_examples(document))
    problems = example_problems(document)
    count, fixture_issues = fixture_problems(document)
    operation_count, operation_issues = operation_fixture_problems(document)
    count += operation_count
    problems += fixture_issues + operation_issues
    request_count, request_issues = request_fixture_problems(document)
    broken_count, broken_issues = broken_fixture_problems(document)
    count += request_count
    problems += request_issues + broken_issues
    delivery_count, refused_count, delivery_issues = delivery_fixture_problems(document)
    problems += delivery_issues
    if problems:
        print("\n".join(problems), file=sys.stderr)
        print(f"check-spec: {len(problems)} problem(s)", file=sys.stderr)
        return EXIT_FAILED
    print(
        f"check-spec: {SOURCE} is valid OpenAPI 3.1; {len(examples)} examples and {count} fixtures validate"
        f"; {broken_count} broken fixtures are refused"
        f"; {delivery_count} webhook deliveries validate and {refused_count} broken ones are refused"
    )
    return EXIT_OK


if __name__ == "__main__":
    run(main)
