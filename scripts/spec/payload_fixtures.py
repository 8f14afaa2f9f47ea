"""Request-body fixtures and broken fixtures of the per-resource folders.

Scope:
- `contract_tests/fixtures/<resource>/requests/index.yaml` names request bodies the API documents and
  takes: each file and its `operation` (operationId). They must validate against the operation's
  request body schema.
- `contract_tests/fixtures/<resource>/broken/index.yaml` names payloads the spec must refuse: each file,
  its `operation`, either `status` (a response body) or `request: true` (a request body), and
  `refused_at`, the JSON path (`$` is the payload) where a violation must be reported, so that a broken
  fixture refused for another reason does not pass unnoticed.

Webhook deliveries (the POSTs Currents sends, the spec's top-level `webhooks`) have a folder of their own,
`contract_tests/fixtures/webhook-deliveries/`, with `valid/index.yaml` (bodies the spec must take) and
`refused/index.yaml` (bodies it must refuse, with `request: true` and `refused_at`); their `operation` is the
webhook operation's operationId (`runCanceledDelivery`, ...). The receiver's tests unwrap the same files.

Each manifest and its folder must agree (every `*.json` listed once). `scripts.spec.check_spec` judges the
payloads; the client's round-trip tests decode the good ones.

Errors: `FixtureError`, one line naming the manifest.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kit import openapi as oas
from kit._cli import display_path, read_json
from kit.bundle import escape_pointer_token
from kit.fixtures import FIXTURES_DIR, FixtureError, _manifest_entries
from scripts.spec.schema_validation import operation_response_schema, schema_validator, violations


@dataclass(frozen=True)
class PayloadFixture:
    """A request body (status None) or a response body of `operation`; `refused_at` is set for a broken one."""

    path: Path
    resource: str
    operation: str
    status: int | None
    refused_at: str | None
    about: str
    body: Any

    @property
    def name(self) -> str:
        return f"{self.resource}/{self.path.parent.name}/{self.path.stem}"


def _load(manifest: Path, broken: bool) -> list[PayloadFixture]:
    where = display_path(manifest)
    fixtures = []
    for index, entry in enumerate(_manifest_entries(manifest)):
        if not (
            isinstance(entry, dict) and isinstance(entry.get("file"), str) and isinstance(entry.get("operation"), str)
        ):
            raise FixtureError(f"{where}: fixtures[{index}]: each entry needs `file` and `operation`")
        status = entry.get("status")
        if broken:
            if not (
                (isinstance(status, int) and "request" not in entry)
                or (status is None and entry.get("request") is True)
            ):
                raise FixtureError(f"{where}: fixtures[{index}]: needs either `status` or `request: true`")
            if not isinstance(entry.get("refused_at"), str) or not entry["refused_at"].startswith("$"):
                raise FixtureError(f"{where}: fixtures[{index}]: needs `refused_at`, a JSON path from `$`")
        elif status is not None:
            raise FixtureError(f"{where}: fixtures[{index}]: a request fixture has no `status`")
        path = manifest.parent / entry["file"]
        fixtures.append(
            PayloadFixture(
                path=path,
                resource=manifest.parent.parent.name,
                operation=entry["operation"],
                status=status,
                refused_at=entry.get("refused_at"),
                about=str(entry.get("about", "")),
                body=read_json(path),
            )
        )
    listed = [f.path.name for f in fixtures]
    duplicates = sorted({name for name in listed if listed.count(name) > 1})
    if duplicates:
        raise FixtureError(f"{where}: listed twice: {', '.join(duplicates)}")
    unlisted = sorted(p.name for p in manifest.parent.glob("*.json") if p.name not in listed)
    if unlisted:
        raise FixtureError(f"{where}: does not list {', '.join(unlisted)}")
    return fixtures


def load_request_fixtures(folder: Path = FIXTURES_DIR) -> list[PayloadFixture]:
    """Every request-body fixture of every resource folder, in manifest order."""
    return [f for manifest in sorted(folder.glob("*/requests/index.yaml")) for f in _load(manifest, broken=False)]


def load_broken_fixtures(folder: Path = FIXTURES_DIR) -> list[PayloadFixture]:
    """Every broken fixture of every resource folder, in manifest order."""
    return [f for manifest in sorted(folder.glob("*/broken/index.yaml")) for f in _load(manifest, broken=True)]


DELIVERIES = "webhook-deliveries"


def load_delivery_fixtures(folder: Path = FIXTURES_DIR) -> list[PayloadFixture]:
    """The webhook deliveries the spec must take, in manifest order."""
    return _load(folder / DELIVERIES / "valid" / "index.yaml", broken=False)


def load_refused_delivery_fixtures(folder: Path = FIXTURES_DIR) -> list[PayloadFixture]:
    """The webhook deliveries the spec must refuse, in manifest order."""
    return _load(folder / DELIVERIES / "refused" / "index.yaml", broken=True)


def operation_request_schema(document: dict[str, Any], operation_id: str) -> str:
    """The JSON pointer of the application/json request body schema of `operation_id`, an operation of `paths`
    or of the top-level `webhooks`. LookupError if none."""
    for section in ("paths", "webhooks"):
        for path, method, operation in oas.operations(document, section):
            if operation.get("operationId") == operation_id:
                if "application/json" not in operation.get("requestBody", {}).get("content", {}):
                    raise LookupError(f"{operation_id} takes no JSON request body")
                escaped = escape_pointer_token(path)
                return f"#/{section}/{escaped}/{method}/requestBody/content/application~1json/schema"
    raise LookupError(f"no operation {operation_id!r}")


def fixture_schema(document: dict[str, Any], fixture: PayloadFixture) -> str:
    if fixture.status is None:
        return operation_request_schema(document, fixture.operation)
    return operation_response_schema(document, fixture.operation, fixture.status)


def request_fixture_problems(document: dict[str, Any], folder: Path = FIXTURES_DIR) -> tuple[int, list[str]]:
    """Each good request fixture must validate; one line per violation."""
    return good_payload_problems(document, load_request_fixtures(folder))


def broken_fixture_problems(document: dict[str, Any], folder: Path = FIXTURES_DIR) -> tuple[int, list[str]]:
    """Each broken fixture must be refused, with a violation at its `refused_at`."""
    return refused_payload_problems(document, load_broken_fixtures(folder))


def delivery_fixture_problems(document: dict[str, Any], folder: Path = FIXTURES_DIR) -> tuple[int, int, list[str]]:
    """Each valid delivery must validate and each refused one be refused where its manifest says: the two
    counts and one line per problem."""
    valid, valid_problems = good_payload_problems(document, load_delivery_fixtures(folder))
    refused, refused_problems = refused_payload_problems(document, load_refused_delivery_fixtures(folder))
    return valid, refused, valid_problems + refused_problems


# Given where a fixture is, the fixture and the violations its schema reports: one line per problem.
Judge = Callable[[str, PayloadFixture, list[str]], list[str]]


def _judged(document: dict[str, Any], fixtures: list[PayloadFixture], judge: Judge) -> tuple[int, list[str]]:
    """Validate each fixture against its schema and let `judge(where, fixture, violations)` say what is wrong: the
    count and one line per problem (a fixture whose schema cannot be found is one)."""
    problems = []
    for fixture in fixtures:
        where = display_path(fixture.path)
        try:
            pointer = fixture_schema(document, fixture)
        except LookupError as exc:
            problems.append(f"{where}: {exc}")
            continue
        problems += judge(where, fixture, violations(schema_validator(document, pointer), fixture.body))
    return len(fixtures), problems


def good_payload_problems(document: dict[str, Any], fixtures: list[PayloadFixture]) -> tuple[int, list[str]]:
    return _judged(document, fixtures, lambda where, _, found: [f"{where}: {line}" for line in found])


def refused_payload_problems(document: dict[str, Any], fixtures: list[PayloadFixture]) -> tuple[int, list[str]]:
    def judge(where: str, fixture: PayloadFixture, found: list[str]) -> list[str]:
        at = str(fixture.refused_at)
        if any(line == at or line.startswith((at + ":", at + ".", at + "[")) for line in found):
            return []
        return [f"{where}: should be refused at {at}, but the spec reports {'; '.join(found) or 'nothing'}"]

    return _judged(document, fixtures, judge)
