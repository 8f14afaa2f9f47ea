"""Validation of the Actions and Webhooks request bodies, as Currents' API reference of March 2026 states it.

Scope: `action_fields(body, partial)` and `webhook_fields(body, partial)` return the known fields of a
create (`partial=False`, required fields enforced) or an update (`partial=True`, at least one field) body,
checked: lengths, counts, enums, the operators each condition type takes, `expiresAfter` as an RFC 3339
date-time, `url` as an absolute URI, `headers` as a JSON object of strings written as a string. Anything
else raises `BadRequest` with a message that starts with the field's path (`matcher.cond[0].op: ...`).
Fields the API does not list are ignored, as an open schema allows them.

Formats are judged by the same checker the spec's examples are (jsonschema's), so that the mock and
`make check-spec` agree on what a date-time or a URI is.
"""

from __future__ import annotations

import json
from typing import Any

from jsonschema import Draft202012Validator

from contract_tests.mock_api.rest import BadRequest

FORMATS = Draft202012Validator.FORMAT_CHECKER
SCALAR_TYPES = frozenset(
    {"testId", "project", "title", "file", "git_branch", "git_authorName", "git_authorEmail", "git_remoteOrigin"}
    | {"git_message"}
)
LIST_TYPES = frozenset({"error_message", "titlePath", "annotation", "tag"})
BASIC_OPERATORS = ("eq", "neq", "any", "empty", "in", "notIn")
MANY_TO_MANY_OPERATORS = ("inc", "notInc", "incAll", "notIncAll")
RULE_OPS = ("skip", "quarantine", "tag")
MAX_TAGS = 10
HOOK_EVENTS = ("RUN_START", "RUN_FINISH", "RUN_TIMEOUT", "RUN_CANCELED")
MAX_HEADERS = 4096
MAX_URL = 2048


def operators_of(condition_type: str) -> tuple[str, ...]:
    return BASIC_OPERATORS + MANY_TO_MANY_OPERATORS if condition_type in LIST_TYPES else BASIC_OPERATORS


def text(value: Any, where: str, low: int = 0, high: int | None = None, nullable: bool = False) -> str | None:
    if value is None and nullable:
        return None
    if not isinstance(value, str):
        raise BadRequest(f"{where}: must be a string" + (" or null" if nullable else ""))
    if len(value) < low or (high is not None and len(value) > high):
        raise BadRequest(f"{where}: must be {low} to {high} characters" if high else f"{where}: must not be empty")
    return value


def date_time(value: Any, where: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not FORMATS.conforms(value, "date-time"):
        raise BadRequest(f"{where}: must be an ISO 8601 date-time or null")
    return value


def rule_action(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise BadRequest(f"{where}: must be an object")
    op = value.get("op")
    if op not in RULE_OPS:
        raise BadRequest(f"{where}.op: must be one of {', '.join(RULE_OPS)}")
    if op != "tag":
        return {"op": op}
    details = value.get("details")
    if not isinstance(details, dict):
        raise BadRequest(f"{where}.details: a tag action needs details with its tags")
    tags = details.get("tags")
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise BadRequest(f"{where}.details.tags: must be a list of strings")
    if len(tags) > MAX_TAGS:
        raise BadRequest(f"{where}.details.tags: must have at most {MAX_TAGS} items")
    return {"op": "tag", "details": {"tags": list(tags)}}


def condition(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise BadRequest(f"{where}: must be an object")
    condition_type = value.get("type")
    if not isinstance(condition_type, str) or condition_type not in SCALAR_TYPES | LIST_TYPES:
        raise BadRequest(f"{where}.type: must be one of {', '.join(sorted(SCALAR_TYPES | LIST_TYPES))}")
    allowed = operators_of(condition_type)
    if value.get("op") not in allowed:
        raise BadRequest(f"{where}.op: a {condition_type} condition takes {', '.join(allowed)}")
    found = value.get("value")
    if not (
        found is None or isinstance(found, str) or (isinstance(found, list) and all(isinstance(v, str) for v in found))
    ):
        raise BadRequest(f"{where}.value: must be a string, a list of strings or null")
    clean: dict[str, Any] = {"type": condition_type, "op": value["op"]}
    if "value" in value:
        clean["value"] = list(found) if isinstance(found, list) else found
    return clean


def matcher(value: Any, where: str = "matcher") -> dict[str, Any]:
    if not isinstance(value, dict):
        raise BadRequest(f"{where}: must be an object")
    if value.get("op") not in ("AND", "OR"):
        raise BadRequest(f"{where}.op: must be AND or OR")
    conditions = value.get("cond")
    if not isinstance(conditions, list) or not conditions:
        raise BadRequest(f"{where}.cond: must be a list of at least 1 condition")
    return {"op": value["op"], "cond": [condition(c, f"{where}.cond[{n}]") for n, c in enumerate(conditions)]}


def object_body(body: Any, partial: bool) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise BadRequest("body: must be a JSON object")
    if partial and not body:
        raise BadRequest("body: must change at least one field")
    return body


def action_fields(body: Any, partial: bool) -> dict[str, Any]:
    """The checked fields of a create (every required one) or an update (those it has) of an action."""
    body = object_body(body, partial)
    if not partial:
        for name in ("name", "action", "matcher"):
            if name not in body:
                raise BadRequest(f"{name}: is required")
    fields: dict[str, Any] = {}
    if "name" in body:
        fields["name"] = text(body["name"], "name", 1, 255)
    if "description" in body:
        fields["description"] = text(body["description"], "description", 0, 1000, nullable=True)
    if "action" in body:
        actions = body["action"]
        if not isinstance(actions, list) or not actions:
            raise BadRequest("action: must be a list of at least 1 rule action")
        fields["action"] = [rule_action(a, f"action[{n}]") for n, a in enumerate(actions)]
    if "matcher" in body:
        fields["matcher"] = matcher(body["matcher"])
    if "expiresAfter" in body:
        fields["expiresAfter"] = date_time(body["expiresAfter"], "expiresAfter")
    return fields


def headers_text(value: Any) -> str | None:
    checked = text(value, "headers", 0, MAX_HEADERS, nullable=True)
    if checked is None:
        return None
    try:
        parsed = json.loads(checked)
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict) or not all(isinstance(v, str) for v in parsed.values()):
        raise BadRequest("headers: must be a JSON object of strings, written as a string")
    return checked


def webhook_fields(body: Any, partial: bool) -> dict[str, Any]:
    """The checked fields of a create (with its `url`) or an update (those it has) of a webhook."""
    body = object_body(body, partial)
    if not partial and "url" not in body:
        raise BadRequest("url: is required")
    fields: dict[str, Any] = {}
    if "url" in body:
        url = text(body["url"], "url", 1, MAX_URL)
        if not FORMATS.conforms(url, "uri"):
            raise BadRequest("url: must be an absolute URI")
        fields["url"] = url
    if "headers" in body:
        fields["headers"] = headers_text(body["headers"])
    if "hookEvents" in body:
        events = body["hookEvents"]
        if not isinstance(events, list):
            raise BadRequest(f"hookEvents: must be a list of {', '.join(HOOK_EVENTS)}")
        for n, event in enumerate(events):
            if event not in HOOK_EVENTS:
                raise BadRequest(f"hookEvents[{n}]: must be one of {', '.join(HOOK_EVENTS)}")
        if len(set(events)) != len(events):
            raise BadRequest("hookEvents: must not repeat an event")
        fields["hookEvents"] = list(events)
    if "label" in body:
        fields["label"] = text(body["label"], "label", 1, 255, nullable=True)
    return fields
