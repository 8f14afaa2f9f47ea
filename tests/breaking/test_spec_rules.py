"""The rule table of scripts/versions/rules.py: one spec mutation per rule, each with the classification it must get.

The base is the committed client document, plus a write operation (a query parameter, an enum parameter, a
request body, a 201 response with an enum) so that the request-side rules have something to change. The
response `oneOf` cases that depend on how the client decodes run against real generated clients.

Over 400 lines on purpose: the rule table's cases, one mutation and its expected classification per rule, read
best as one table.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest

from kit._cli import ROOT
from scripts.versions.rules import RULES, Change, required_bump
from scripts.versions.spec_diff import compare_documents

Document = dict[str, Any]
COMMITTED: Document = json.loads((ROOT / "generated" / "openapi.json").read_text())
NOTES = "/paths/~1instances~1{instanceId}~1notes/post"
GET = "/paths/~1instances~1{instanceId}/get"
SCHEMAS = "/components/schemas"


def with_write_operation(document: Document) -> Document:
    document = copy.deepcopy(document)
    document["paths"]["/instances/{instanceId}/notes"] = {
        "post": {
            "operationId": "addNote",
            "tags": ["instances"],
            "parameters": [
                {"name": "instanceId", "in": "path", "required": True, "schema": {"type": "string"}},
                {"name": "limit", "in": "query", "required": False, "schema": {"type": "integer", "maximum": 100}},
                {"name": "order", "in": "query", "schema": {"type": "string", "enum": ["asc", "desc"]}},
            ],
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NoteRequest"}}},
            },
            "responses": {
                "201": {
                    "description": "The note.",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Note"}}},
                },
                "401": {"$ref": "#/components/responses/Unauthorized"},
            },
        }
    }
    schemas = document["components"]["schemas"]
    schemas["NoteRequest"] = {
        "type": "object",
        "required": ["text"],
        "properties": {
            "text": {"type": "string", "maxLength": 500},
            "tags": {"type": "array", "items": {"type": "string"}},
        },
    }
    schemas["Note"] = {
        "type": "object",
        "required": ["id", "text", "state"],
        "properties": {
            "id": {"type": "string"},
            "text": {"type": "string"},
            "state": {"type": "string", "enum": ["open", "closed"]},
            "score": {"type": "number"},
        },
    }
    return document


BASE = with_write_operation(COMMITTED)


def notes(document: Document) -> dict[str, Any]:
    operation: dict[str, Any] = document["paths"]["/instances/{instanceId}/notes"]["post"]
    return operation


def schema(document: Document, name: str) -> dict[str, Any]:
    found: dict[str, Any] = document["components"]["schemas"][name]
    return found


def param(document: Document, name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(p for p in notes(document)["parameters"] if p["name"] == name)
    return found


Mutation = Callable[[Document], object]


def _remove_notes(d: Document) -> None:
    del d["paths"]["/instances/{instanceId}/notes"]


def _add_operation(d: Document) -> None:
    d["paths"]["/widgets/{widgetId}"] = {
        "get": {"operationId": "getWidget", "responses": {"200": {"description": "A widget."}}}
    }


def _drop(name: str) -> Mutation:
    return lambda d: notes(d).update(parameters=[p for p in notes(d)["parameters"] if p["name"] != name])


def _add_param(required: bool) -> Mutation:
    new = {"name": "since", "in": "query", "required": required, "schema": {"type": "string"}}
    return lambda d: notes(d)["parameters"].append(new)


def _security_scheme_changed(d: Document) -> None:
    d["components"]["securitySchemes"]["bearerAuth"] = {"type": "apiKey", "in": "header", "name": "X-Api-Key"}


def _security_alternative_replaced(d: Document) -> None:
    d["components"]["securitySchemes"]["apiKeyAuth"] = {"type": "apiKey", "in": "header", "name": "X-Api-Key"}
    d["security"] = [{"apiKeyAuth": []}]


def _security_alternative_added(d: Document) -> None:
    d["components"]["securitySchemes"]["apiKeyAuth"] = {"type": "apiKey", "in": "header", "name": "X-Api-Key"}
    d["security"] = [{"bearerAuth": []}, {"apiKeyAuth": []}]


def _anonymous_base() -> Document:
    document = copy.deepcopy(BASE)
    notes(document)["security"] = []
    return document


# (id, mutation, expected level, expected rule, expected pointer[, base document])
CASES: list[tuple[str, Mutation, str, str, str] | tuple[str, Mutation, str, str, str, Document]] = [
    # operations
    ("operation removed", _remove_notes, "breaking", "operation-removed", NOTES),
    ("operation added", _add_operation, "non-breaking", "operation-added", "/paths/~1widgets~1{widgetId}/get"),
    (
        "operationId changed",
        lambda d: notes(d).update(operationId="createNote"),
        "breaking",
        "operation-id-changed",
        f"{NOTES}/operationId",
    ),
    (
        "first tag changed (differs from oasdiff: the module moves)",
        lambda d: notes(d).update(tags=["notes"]),
        "breaking",
        "operation-tag-changed",
        f"{NOTES}/tags",
    ),
    # parameters
    (
        "parameter removed (differs from oasdiff: the keyword argument goes)",
        _drop("limit"),
        "breaking",
        "parameter-removed",
        f"{NOTES}/parameters/1",
    ),
    ("required parameter added", _add_param(True), "breaking", "parameter-added-required", f"{NOTES}/parameters/3"),
    (
        "optional parameter added",
        _add_param(False),
        "non-breaking",
        "parameter-added-optional",
        f"{NOTES}/parameters/3",
    ),
    (
        "parameter became required",
        lambda d: param(d, "limit").update(required=True),
        "breaking",
        "parameter-became-required",
        f"{NOTES}/parameters/1/required",
    ),
    (
        "parameter type changed",
        lambda d: param(d, "limit")["schema"].update(type="string"),
        "breaking",
        "request-type-changed",
        f"{NOTES}/parameters/1/schema/type",
    ),
    (
        "parameter maximum lowered",
        lambda d: param(d, "limit")["schema"].update(maximum=50),
        "breaking",
        "request-constraint-narrowed",
        f"{NOTES}/parameters/1/schema/maximum",
    ),
    (
        "request enum value removed",
        lambda d: param(d, "order")["schema"].update(enum=["asc"]),
        "breaking",
        "request-enum-value-removed",
        f"{NOTES}/parameters/2/schema/enum",
    ),
    (
        "request enum value added",
        lambda d: param(d, "order")["schema"]["enum"].append("relevance"),
        "non-breaking",
        "request-enum-value-added",
        f"{NOTES}/parameters/2/schema/enum",
    ),
    # request bodies
    (
        "request body removed",
        lambda d: notes(d).pop("requestBody"),
        "breaking",
        "request-body-removed",
        f"{NOTES}/requestBody",
    ),
    (
        "required request property added",
        lambda d: (
            schema(d, "NoteRequest")["properties"].update(priority={"type": "integer"}),
            schema(d, "NoteRequest")["required"].append("priority"),
        ),
        "breaking",
        "request-property-added-required",
        f"{SCHEMAS}/NoteRequest/properties/priority",
    ),
    (
        "optional request property added",
        lambda d: schema(d, "NoteRequest")["properties"].update(priority={"type": "integer"}),
        "non-breaking",
        "request-property-added-optional",
        f"{SCHEMAS}/NoteRequest/properties/priority",
    ),
    (
        "request property removed (differs from oasdiff: the constructor argument goes)",
        lambda d: schema(d, "NoteRequest")["properties"].pop("tags"),
        "breaking",
        "request-property-removed",
        f"{SCHEMAS}/NoteRequest/properties/tags",
    ),
    (
        "request property became required",
        lambda d: schema(d, "NoteRequest")["required"].append("tags"),
        "breaking",
        "request-property-became-required",
        f"{SCHEMAS}/NoteRequest/required",
    ),
    (
        "request maxLength lowered",
        lambda d: schema(d, "NoteRequest")["properties"]["text"].update(maxLength=100),
        "breaking",
        "request-constraint-narrowed",
        f"{SCHEMAS}/NoteRequest/properties/text/maxLength",
    ),
    # responses
    (
        "response property removed",
        lambda d: schema(d, "Worker")["properties"].pop("workerIndex"),
        "breaking",
        "response-property-removed",
        f"{SCHEMAS}/Worker/properties/workerIndex",
    ),
    (
        "response property type changed",
        lambda d: schema(d, "Worker")["properties"]["workerIndex"].update(type="string"),
        "breaking",
        "response-type-changed",
        f"{SCHEMAS}/Worker/properties/workerIndex/type",
    ),
    (
        "response type narrowed number to integer",
        lambda d: schema(d, "Note")["properties"]["score"].update(type="integer"),
        "non-breaking",
        "response-type-narrowed",
        f"{SCHEMAS}/Note/properties/score/type",
    ),
    (
        "response property became nullable (type list)",
        lambda d: schema(d, "Worker")["properties"]["workerIndex"].update(type=["integer", "null"]),
        "breaking",
        "response-became-nullable",
        f"{SCHEMAS}/Worker/properties/workerIndex",
    ),
    (
        "response property became nullable (oneOf with null)",
        lambda d: schema(d, "CypressInstance")["properties"].update(
            platform={"oneOf": [{"$ref": "#/components/schemas/Platform"}, {"type": "null"}]}
        ),
        "breaking",
        "response-became-nullable",
        f"{SCHEMAS}/CypressInstance/properties/platform",
    ),
    (
        "response property became optional",
        lambda d: schema(d, "CypressInstance")["required"].remove("spec"),
        "breaking",
        "response-property-became-optional",
        f"{SCHEMAS}/CypressInstance/required",
    ),
    (
        "response property became required",
        lambda d: schema(d, "Note")["required"].append("score"),
        "non-breaking",
        "response-property-became-required",
        f"{SCHEMAS}/Note/required",
    ),
    (
        "response property added",
        lambda d: schema(d, "Worker")["properties"].update(hostname={"type": "string"}),
        "non-breaking",
        "response-property-added",
        f"{SCHEMAS}/Worker/properties/hostname",
    ),
    (
        "response enum value added (differs from oasdiff: enums are open strings)",
        lambda d: schema(d, "Note")["properties"]["state"]["enum"].append("archived"),
        "non-breaking",
        "response-enum-value-added",
        f"{SCHEMAS}/Note/properties/state/enum",
    ),
    (
        "response enum value removed",
        lambda d: schema(d, "Note")["properties"]["state"].update(enum=["open"]),
        "non-breaking",
        "response-enum-value-removed",
        f"{SCHEMAS}/Note/properties/state/enum",
    ),
    (
        "success status removed",
        lambda d: notes(d)["responses"].update({"200": notes(d)["responses"].pop("201")}),
        "breaking",
        "response-success-status-removed",
        f"{NOTES}/responses/201",
    ),
    (
        "error status removed (differs from oasdiff: *_detailed no longer decodes it)",
        lambda d: d["paths"]["/instances/{instanceId}"]["get"]["responses"].pop("404"),
        "breaking",
        "response-error-status-removed",
        f"{GET}/responses/404",
    ),
    (
        "error status added",
        lambda d: notes(d)["responses"].update({"409": {"$ref": "#/components/responses/Forbidden"}}),
        "non-breaking",
        "response-error-status-added",
        f"{NOTES}/responses/409",
    ),
    (
        "response oneOf variant removed (differs from oasdiff: the model class goes)",
        lambda d: schema(d, "Instance")["oneOf"].pop(2),
        "breaking",
        "response-variant-removed",
        f"{SCHEMAS}/Instance/oneOf/2",
    ),
    (
        "runner marker const changed",
        lambda d: schema(d, "PlaywrightFramework")["properties"]["type"].update(const="playwright"),
        "breaking",
        "const-changed",
        f"{SCHEMAS}/PlaywrightFramework/properties/type/const",
    ),
    (
        "date-time format dropped (differs from oasdiff: datetime becomes str)",
        lambda d: schema(d, "CypressInstance")["properties"]["createdAt"].pop("format"),
        "breaking",
        "format-changed-python-type",
        f"{SCHEMAS}/CypressInstance/properties/createdAt/format",
    ),
    (
        "uri format dropped",
        lambda d: schema(d, "Video")["properties"]["videoUrl"].pop("format"),
        "info",
        "format-changed",
        f"{SCHEMAS}/Video/properties/videoUrl/format",
    ),
    # security
    (
        "security scheme changed",
        _security_scheme_changed,
        "breaking",
        "security-scheme-changed",
        "/components/securitySchemes/bearerAuth/type",
    ),
    (
        "security alternative replaced",
        _security_alternative_replaced,
        "breaking",
        "security-alternative-removed",
        "/security",
    ),
    (
        "security alternative added",
        _security_alternative_added,
        "non-breaking",
        "security-alternative-added",
        "/security",
    ),
    (
        "security no longer required",
        lambda d: notes(d).update(security=[]),
        "non-breaking",
        "security-removed",
        f"{NOTES}/security",
    ),
    (
        "security required where none was",
        lambda d: notes(d).pop("security"),
        "breaking",
        "security-required-added",
        "/security",
        _anonymous_base(),
    ),
    # everything else
    (
        "description changed",
        lambda d: schema(d, "Worker").update(description="The worker."),
        "info",
        "document-changed",
        f"{SCHEMAS}/Worker/description",
    ),
]


def _classify(case: tuple[Any, ...]) -> tuple[list[Change], str, str, str]:
    mutate, level, rule, pointer = case[1:5]
    base = case[5] if len(case) > 5 else BASE
    new = copy.deepcopy(base)
    mutate(new)
    return compare_documents(base, new), level, rule, pointer


def test_the_table_has_a_case_for_most_rules() -> None:
    assert len(CASES) >= 25
    covered = {case[3] for case in CASES}
    assert len(covered) >= 30, sorted(set(RULES) - covered)


@pytest.mark.parametrize("case", CASES, ids=[case[0] for case in CASES])
def test_mutation_is_classified(case: tuple[Any, ...]) -> None:
    changes, level, rule, pointer = _classify(case)

    found = [(c.level, c.rule, c.pointer) for c in changes]
    assert (level, rule, pointer) in found, found
    # Nothing else in the same edit is more severe than the rule under test.
    bump = {"breaking": "major", "non-breaking": "minor", "info": "patch"}[level]
    assert required_bump(changes) == bump, found


def test_identical_documents_have_no_change() -> None:
    assert compare_documents(BASE, copy.deepcopy(BASE)) == []


def test_every_change_line_has_level_pointer_and_explanation() -> None:
    new = copy.deepcopy(BASE)
    schema(new, "Worker")["properties"].pop("workerIndex")
    (change,) = [c for c in compare_documents(BASE, new) if c.rule == "response-property-removed"]
    assert change.line().split()[:2] == ["breaking", f"{SCHEMAS}/Worker/properties/workerIndex:"]
    assert "workerIndex" in change.message and "\n" not in change.line()


def test_a_component_used_twice_is_reported_once() -> None:
    new = copy.deepcopy(BASE)
    schema(new, "Commit")["properties"].pop("sha")  # Commit is in all three runner variants
    removed = [c for c in compare_documents(BASE, new) if c.rule == "response-property-removed"]
    assert [c.pointer for c in removed] == [f"{SCHEMAS}/Commit/properties/sha"]


def test_a_variant_is_counted_breaking_when_no_client_can_check_it() -> None:
    new = copy.deepcopy(COMMITTED)
    new["components"]["schemas"]["Instance"]["oneOf"].append({"$ref": "#/components/schemas/Worker"})
    (change,) = [c for c in compare_documents(COMMITTED, new, None) if "variant" in c.rule]
    assert (change.level, change.rule) == ("breaking", "response-variant-added-redecodes")


def _pointer_exists(document: Document, pointer: str) -> bool:
    node: Any = document
    for token in pointer.split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        elif isinstance(node, dict) and token in node:
            node = node[token]
        else:
            return False
    return True


@pytest.mark.parametrize("case", CASES, ids=[case[0] for case in CASES])
def test_pointer_is_in_the_document_it_names(case: tuple[Any, ...]) -> None:
    _, _, _, pointer = _classify(case)
    base = case[5] if len(case) > 5 else BASE
    new = copy.deepcopy(base)
    case[1](new)
    # A removal points into the base document; everything else into the new one.
    assert _pointer_exists(new, pointer) or _pointer_exists(base, pointer), pointer
