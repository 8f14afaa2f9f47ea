"""`make check-spec`: the spec is valid OpenAPI 3.1, and every example and fixture validates, or it says where not."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from kit import bundle as bundler
from kit.fixtures import MANIFEST, FixtureError, load_fixtures, load_operation_fixtures
from scripts.spec.check_spec import example_problems, fixture_problems, operation_fixture_problems, spec_problems
from scripts.spec.payload_fixtures import (
    broken_fixture_problems,
    load_broken_fixtures,
    load_request_fixtures,
    request_fixture_problems,
)
from tests.support import RunScript


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return bundler.bundle()


@pytest.fixture
def fixtures_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "fixtures"
    shutil.copytree(MANIFEST.parent, folder)
    return folder


def edit_fixture(folder: Path, name: str, change: Any) -> None:
    path = folder / name
    body = json.loads(path.read_text())
    change(body)
    path.write_text(json.dumps(body))


def test_check_spec_passes_on_the_committed_spec(run_script: RunScript) -> None:
    process = run_script("spec.check_spec")
    assert process.returncode == 0, process.stderr
    count = len(load_fixtures()) + len(load_operation_fixtures()) + len(load_request_fixtures())
    assert "valid OpenAPI 3.1" in process.stdout and f"{count} fixtures validate" in process.stdout


def test_the_spec_declares_what_the_client_and_checks_rely_on(document: dict[str, Any]) -> None:
    assert document["openapi"] == "3.1.0"
    assert [s["url"] for s in document["servers"]] == [
        "https://api.currents.dev/v1",
        "https://api-staging.currents.dev/v1",
    ]
    assert document["components"]["securitySchemes"]["bearerAuth"] == {
        **document["components"]["securitySchemes"]["bearerAuth"],
        "type": "http",
        "scheme": "bearer",
    }
    operation = document["paths"]["/instances/{instanceId}"]["get"]
    assert operation["operationId"] == "getInstance" and operation["tags"] == ["instances"]
    assert "expire 2 hours" in operation["description"]
    assert set(operation["responses"]) == {"200", "401", "402", "403", "404", "429", "5XX"}


def test_an_invalid_openapi_document_is_reported_with_its_json_path(document: dict[str, Any]) -> None:
    broken = copy.deepcopy(document)
    broken["paths"]["/instances/{instanceId}"]["get"]["responses"]["200"]["description"] = 5
    problems = spec_problems(broken)
    assert problems and "$.paths['/instances/{instanceId}'].get.responses" in problems[0]


def test_an_example_that_breaks_its_schema_is_reported_with_its_json_path(document: dict[str, Any]) -> None:
    broken = copy.deepcopy(document)
    broken["components"]["examples"]["PlaywrightInstance"]["value"]["data"]["createdAt"] = "last tuesday"
    problems = example_problems(broken)
    assert len(problems) == 1
    assert (
        "#/paths/~1instances~1{instanceId}/get/responses/200/content/application~1json/examples/playwright"
        in problems[0]
    )
    assert "$.value.data.createdAt: 'last tuesday' fails format: 'date-time'" in problems[0]


def test_a_fixture_that_breaks_the_schema_is_reported_with_file_and_path(
    document: dict[str, Any], fixtures_copy: Path
) -> None:
    edit_fixture(fixtures_copy, "jest-failed-and-todo.json", lambda b: b["data"]["results"]["stats"].update(tests="7"))
    count, problems = fixture_problems(document, fixtures_copy / "index.yaml")
    assert count == len(load_fixtures(fixtures_copy / "index.yaml")) == len(list(fixtures_copy.glob("*.json")))
    where = fixtures_copy / "jest-failed-and-todo.json"
    assert problems == [f"{where}: $.data.results.stats.tests: '7' fails type: 'integer' (as OtherFrameworkInstance)"]


def test_a_fixture_of_another_variant_than_its_manifest_says_is_reported(
    document: dict[str, Any], fixtures_copy: Path
) -> None:
    edit_fixture(fixtures_copy, "postman-orders-api.json", lambda b: b["data"]["framework"].update(type="pw"))
    _, problems = fixture_problems(document, fixtures_copy / "index.yaml")
    assert len(problems) == 1
    assert problems[0].endswith("matches PlaywrightInstance, but the manifest expects OtherFrameworkInstance")


def test_a_fixture_missing_from_the_manifest_is_an_error(document: dict[str, Any], fixtures_copy: Path) -> None:
    shutil.copy(fixtures_copy / "postman-orders-api.json", fixtures_copy / "stray.json")
    with pytest.raises(FixtureError, match=r"does not list stray\.json"):
        fixture_problems(document, fixtures_copy / "index.yaml")


def test_every_fixture_names_its_variant_and_the_corpus_covers_each_variant() -> None:
    variants = {fixture.variant for fixture in load_fixtures()}
    assert variants == {"CypressInstance", "PlaywrightInstance", "OtherFrameworkInstance"}


def test_a_run_fixture_of_another_variant_than_its_manifest_says_is_reported(
    document: dict[str, Any], fixtures_copy: Path
) -> None:
    edit_fixture(
        fixtures_copy / "runs", "get-jest-canceled.json", lambda b: b["data"]["meta"]["framework"].update(type="pw")
    )
    _, problems = operation_fixture_problems(document, fixtures_copy)
    assert len(problems) == 1
    assert problems[0].endswith("matches PlaywrightRun, but the manifest expects OtherFrameworkRun")


def test_an_operation_fixture_is_validated_against_the_schema_of_its_status(
    document: dict[str, Any], fixtures_copy: Path
) -> None:
    edit_fixture(fixtures_copy / "spec-files", "list-last-page.json", lambda b: b["data"].update(nextPage=True))
    edit_fixture(fixtures_copy / "runs", "cancel-error-422.json", lambda b: b.update(status="OK"))
    _, problems = operation_fixture_problems(document, fixtures_copy)
    assert problems == [
        f"{fixtures_copy / 'runs' / 'cancel-error-422.json'}: $.status: 'OK' fails const: 'FAILED'",
        f"{fixtures_copy / 'spec-files' / 'list-last-page.json'}: $.data.nextPage: True fails const: False",
    ]


def test_every_operation_has_a_success_fixture_and_every_run_variant_is_covered(document: dict[str, Any]) -> None:
    fixtures = load_operation_fixtures()
    operations = {
        operation["operationId"]
        for item in document["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict) and "operationId" in operation
    }
    with_success = {f.operation for f in fixtures if f.status in (200, 201)} | {"getInstance"}
    assert with_success == operations
    assert {f.variant for f in fixtures if f.variant} == {"CypressRun", "PlaywrightRun", "OtherFrameworkRun"}
    completion_states = {
        f.body["data"]["completionState"] for f in fixtures if f.operation == "getRun" and f.status == 200
    }
    assert completion_states == {"COMPLETE", "IN_PROGRESS", "CANCELED", "TIMEOUT"}


def test_every_broken_fixture_is_refused_where_its_manifest_says(document: dict[str, Any]) -> None:
    count, problems = broken_fixture_problems(document)
    assert problems == []
    assert count == len(load_broken_fixtures()) >= 30
    # Requests and answers, of every new resource.
    kinds = {(f.resource, f.status is None) for f in load_broken_fixtures()}
    assert {("actions", True), ("actions", False), ("webhooks", True), ("webhooks", False), ("runs", True)} <= kinds


def test_a_broken_fixture_the_spec_accepts_is_reported(document: dict[str, Any], fixtures_copy: Path) -> None:
    edit_fixture(
        fixtures_copy / "actions" / "broken",
        "create-eleven-tags.json",
        lambda b: b["action"][0]["details"]["tags"].pop(),
    )
    count, problems = broken_fixture_problems(document, fixtures_copy)
    assert count == len(load_broken_fixtures())
    assert len(problems) == 1
    assert problems[0].endswith(
        "create-eleven-tags.json: should be refused at $.action[0], but the spec reports nothing"
    )


def test_a_broken_fixture_refused_elsewhere_than_its_manifest_says_is_reported(
    document: dict[str, Any], fixtures_copy: Path
) -> None:
    # Still refused (no name), but no longer for its 256-character name: the check wants the reason it names.
    edit_fixture(
        fixtures_copy / "actions" / "broken", "create-name-too-long.json", lambda b: b.update(name="ok", action=[])
    )
    _, problems = broken_fixture_problems(document, fixtures_copy)
    assert len(problems) == 1
    assert "create-name-too-long.json: should be refused at $.name, but the spec reports $.action:" in problems[0]


def test_a_request_fixture_that_breaks_its_request_body_is_reported(
    document: dict[str, Any], fixtures_copy: Path
) -> None:
    assert request_fixture_problems(document, fixtures_copy)[1] == []
    edit_fixture(
        fixtures_copy / "runs" / "requests",
        "cancel-by-ci-attempt-string.json",
        lambda b: b.update(githubRunAttempt="two"),
    )
    _, problems = request_fixture_problems(document, fixtures_copy)
    assert len(problems) == 1 and "cancel-by-ci-attempt-string.json: $.githubRunAttempt" in problems[0]
