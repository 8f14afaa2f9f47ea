"""The spec is the operation registry: what the contract run does with an operation comes from the operation's
methods and its `x-currents-contract` marker, and the pipeline's files name no operation id."""

from __future__ import annotations

import re
import tomllib
from typing import Any

from kit import bundle
from kit._cli import ROOT
from scripts.contract import CONFIG
from scripts.contract.documents import drop_writes, pin_to_project, walk_document
from scripts.contract.registry import config_text, is_write, operation_settings

# The files that must name no operation: the contract run's schemathesis config, its runner (the run, its drift
# fetch and its live-mode settings), its registry and discovery.
NAMING_NO_OPERATION = (
    "schemathesis.toml",
    "scripts/contract/main.py",
    "scripts/contract/target.py",
    "scripts/contract/documents.py",
    "scripts/contract/schemathesis_run.py",
    "scripts/contract/fetch.py",
    "scripts/contract/plan.py",
    "scripts/contract/settings.py",
    "scripts/contract/registry.py",
    "scripts/contract/discovery.py",
)


def operation_ids(document: dict[str, Any]) -> set[str]:
    return {
        operation["operationId"]
        for item in document["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict) and "operationId" in operation
    }


def test_the_contract_runner_its_config_its_registry_and_discovery_name_no_operation_id() -> None:
    ids = operation_ids(bundle.bundle())
    assert len(ids) >= 28
    for name in NAMING_NO_OPERATION:
        words = set(re.findall(r"[A-Za-z]+", (ROOT / name).read_text(encoding="utf-8")))
        assert not words & ids, f"{name} names {sorted(words & ids)}: mark the operation in the spec instead"


def test_the_spec_markers_become_the_per_operation_schemathesis_tables() -> None:
    settings = {s["include-operation-id"]: s["checks"] for s in operation_settings(bundle.bundle())}
    assert settings["cancelRun"] == {
        "positive_data_acceptance": {"expected-statuses": ["2xx", "401", "403", "404", "409", "422", "429"]}
    }
    assert settings["listProjects"]["positive_data_acceptance"]["expected-statuses"][1] == "400"
    assert settings["getAction"] == {"use_after_free": {"enabled": False}}
    assert "getRun" not in settings  # unmarked: schemathesis's defaults


def test_the_config_make_contract_passes_is_schemathesis_toml_with_those_tables() -> None:
    document = bundle.bundle()
    base = CONFIG.read_text(encoding="utf-8")
    text = config_text(base, document)
    assert text.startswith(base)
    assert tomllib.loads(text)["operations"] == operation_settings(document)


def test_a_post_the_spec_marks_as_writing_nothing_stays_in_read_only_mode() -> None:
    def answer(operation_id: str, **extra: Any) -> dict[str, Any]:
        return {"operationId": operation_id, "responses": {"200": {"description": "ok"}}, **extra}

    document: dict[str, Any] = {
        "paths": {
            "/sign": {"post": answer("sign", **{"x-currents-contract": {"writes": False}})},
            "/things": {"get": answer("listThings"), "post": answer("makeThing")},
        }
    }
    assert not is_write("post", document["paths"]["/sign"]["post"])
    assert drop_writes(document) == ["makeThing"]
    assert operation_ids(document) == {"sign", "listThings"}


def test_pinning_to_one_project_leaves_out_the_operation_the_spec_marks_account_wide() -> None:
    listing = {"operationId": "listAll", "x-currents-contract": {"account-wide": True}, "responses": {}}
    linked = {"description": "ok", "links": {"All": {"operationId": "listAll"}, "Self": {"operationId": "getOne"}}}
    document: dict[str, Any] = {
        "paths": {"/all": {"get": listing}, "/one": {"get": {"operationId": "getOne", "responses": {"200": linked}}}}
    }
    pin_to_project(document, "project1")
    assert operation_ids(document) == {"getOne"}
    assert list(linked["links"]) == ["Self"]


def test_the_walk_sends_a_known_test_to_the_operation_the_spec_marks_for_it() -> None:
    body = {"content": {"application/json": {"schema": {"type": "object"}, "example": {"projectId": "x"}}}}
    marked = {"operationId": "sign", "x-currents-contract": {"body-from": "known-tests"}, "requestBody": body}
    document: dict[str, Any] = {
        "paths": {"/sign": {"post": marked, "put": {"operationId": "other", "requestBody": {}}}}
    }
    tests = [{"projectId": "p", "specFilePath": "a.spec.ts", "testTitle": ["a"]}]
    walked = walk_document(document, ("2020-01-01", "2030-12-31"), tests)
    assert walked["paths"]["/sign"]["post"]["requestBody"]["content"]["application/json"] == {"schema": {"enum": tests}}
    assert walked["paths"]["/sign"]["put"]["requestBody"] == {}
