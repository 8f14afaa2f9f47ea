"""Shared by the mock's tests: a checked httpx client for a mock on loopback, and spec validation per operation.

`spec_problems(method, path, status, body)` finds the spec operation whose path template matches the
request path and validates the body against the schema the spec gives for that status (the FAILED
envelope for an error without its own schema). `checked_client` puts that check, and "never 5xx", on
every response it gets.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from contract_tests.mock_api.app import MockApi, create_app
from contract_tests.mock_api.keys import KEYS_FILE, load_keys
from contract_tests.mock_api.server import serve_in_thread
from scripts.bundle import bundle
from scripts.schema_validation import component_validator, schema_validator, violations

SPEC = bundle()
KEYS = {key.name: key.value for key in load_keys(KEYS_FILE).keys}
DEMO_KEY, LIMITED_KEY, READ_ONLY_KEY = KEYS["demo"], KEYS["limited"], KEYS["read-only"]
REQUEST_TIMEOUT = 10.0


def escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def templates() -> list[tuple[re.Pattern[str], str]]:
    found = []
    for template in SPEC["paths"]:
        pattern = "^/v1" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
        found.append((re.compile(pattern), template))
    # literal paths first, so that /runs/find is not read as /runs/{runId}
    return sorted(found, key=lambda pair: pair[1].count("{"))


def resolve(node: dict[str, Any], pointer: str) -> tuple[dict[str, Any], str]:
    while "$ref" in node:
        pointer = node["$ref"]
        node = SPEC
        for token in pointer.lstrip("#/").split("/"):
            node = node[token.replace("~1", "/").replace("~0", "~")]
    return node, pointer


@functools.cache
def validator_for(template: str, method: str, status: int) -> Any:
    operation = SPEC["paths"][template][method.lower()]
    responses = operation["responses"]
    key = str(status) if str(status) in responses else f"{str(status)[0]}XX"
    if key not in responses:
        assert status >= 400, f"{method} {template}: the spec declares no {status}"
        return component_validator(SPEC, "ErrorResponse")
    pointer = f"#/paths/{escape(template)}/{method.lower()}/responses/{key}"
    _, pointer = resolve(responses[key], pointer)
    return schema_validator(SPEC, f"{pointer}/content/application~1json/schema")


def spec_problems(method: str, path: str, status: int, body: Any) -> list[str]:
    for pattern, template in templates():
        if pattern.match(path):
            if method.lower() not in SPEC["paths"][template]:
                return [] if status == 405 and body["status"] == "FAILED" else [f"{method} {template}: undeclared"]
            return violations(validator_for(template, method, status), body)
    return violations(component_validator(SPEC, "ErrorResponse"), body)


def check_response(response: httpx.Response) -> None:
    response.read()
    request = response.request
    assert response.status_code < 500, f"{request.method} {request.url}: {response.status_code}"
    if request.method == "HEAD":
        return
    problems = spec_problems(request.method, request.url.path, response.status_code, response.json())
    assert not problems, f"{request.method} {request.url} {response.status_code}: {problems}"


@contextmanager
def checked_client(app: MockApi | None = None, key: str = DEMO_KEY) -> Iterator[tuple[httpx.Client, MockApi]]:
    """A fresh mock (or `app`) on loopback, and a client whose every response is checked against the spec."""
    app = app if app is not None else create_app()
    hooks: dict[str, list[Any]] = {"response": [check_response]}
    headers = {"Authorization": f"Bearer {key}"}
    with (
        serve_in_thread(app) as url,
        httpx.Client(base_url=url, headers=headers, timeout=REQUEST_TIMEOUT, event_hooks=hooks) as client,
    ):
        yield client, app
    assert not app.journal.faults, app.journal.faults
