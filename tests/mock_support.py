"""Shared by the mock's tests: a checked httpx client for a mock on loopback, and spec validation per operation.

`spec_problems(method, path, status, body)` finds the spec operation whose path template matches the
request path and validates the body against the schema the spec gives for that status (the FAILED
envelope for an error without its own schema). `checked_client` puts that check, and "never 5xx", on
every response it gets.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import unquote

import httpx

from contract_tests.mock_api.app import MockApi, create_app
from contract_tests.mock_api.keys import KEYS_FILE, load_keys
from contract_tests.mock_api.server import serve_in_thread
from kit.bundle import bundle
from scripts.spec.schema_validation import component_validator, schema_validator, violations

SPEC = bundle()
KEYS = {key.name: key.value for key in load_keys(KEYS_FILE).keys}
DEMO_KEY, LIMITED_KEY, READ_ONLY_KEY = KEYS["demo"], KEYS["limited"], KEYS["read-only"]
REQUEST_TIMEOUT = 10.0


def escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def templates() -> list[tuple[list[str | None], str]]:
    """Each spec path as segments (None for a parameter), literal paths first (/runs/find before /runs/{runId})."""
    found = []
    for template in SPEC["paths"]:
        segments = ("/v1" + template).split("/")
        found.append(([None if part.startswith("{") else part for part in segments], template))
    return sorted(found, key=lambda pair: pair[1].count("{"))


def template_of(path: str) -> str | None:
    """The spec path a raw request path routes to, matched segment by segment after decoding each one."""
    segments = [unquote(part) for part in path.split("?")[0].split("/")]
    for pattern, template in templates():
        if len(pattern) != len(segments):
            continue
        pairs = list(zip(pattern, segments, strict=True))
        if all(s if p is None else p == s for p, s in pairs):  # a parameter matches any non-empty segment
            return template
    return None


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
    template = template_of(path)
    if template is None or method.lower() not in SPEC["paths"][template]:
        # no route, or a method the spec does not declare there: the FAILED envelope (404, 405 or 401)
        return violations(component_validator(SPEC, "ErrorResponse"), body)
    return violations(validator_for(template, method, status), body)


def check_response(response: httpx.Response) -> None:
    response.read()
    request = response.request
    assert response.status_code < 500, f"{request.method} {request.url}: {response.status_code}"
    if request.method == "HEAD":
        return
    target = request.extensions.get("target")
    path = target.decode("latin-1") if isinstance(target, bytes) else request.url.raw_path.decode("ascii")
    problems = spec_problems(request.method, path, response.status_code, response.json())
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
