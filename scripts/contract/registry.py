"""What the contract run does with each operation, read from the spec rather than from lists in the pipeline.

An operation writes when its method is not GET, unless its `x-currents-contract` marker says `writes: false`
(a POST that only computes, such as a test's signature): read-only live mode leaves the writes out. The same
marker tells schemathesis what a valid request may still get:

    x-currents-contract:
      writes: false              # a POST that changes nothing
      state-refusals: [422]      # statuses the state of the world, not the request's shape, explains
      soft-deleted: true         # its resource still reads after DELETE: use_after_free does not apply
      account-wide: true         # its answer names every project: left out when a run is pinned to one
      body-from: known-tests     # the stateful walk sends the body of a test it knows
      may-find-nothing: true     # a search: its 404 (nothing matched) is an answer the drift fetch expects
      secret-fields: [headers]   # fields of its answers that may hold a secret: live, schemathesis skips it,
                                 # and the drift fetch replaces them before it shows or saves anything

A create is a write with no path parameter whose answer links on (`is_create`); the parameters its links
fill (`created_parameters`: an action's, a webhook's id) name objects the contract run writes only where it
made them itself.

`make contract` hands schemathesis `schemathesis.toml` (which names no operation) with one `[[operations]]`
table per marked operation appended (`config_text`), so a new operation needs no edit here or there.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from kit import openapi as oas

MARKER = "x-currents-contract"
# What positive_data_acceptance accepts from every operation besides a 2xx: the key or the id may be wrong, a
# conflict or the rate limit may answer. A marker's `state-refusals` add to these.
ACCEPTED = (401, 403, 404, 409, 429)


def operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(path, method, operation) of every operation with an operationId."""
    for path, method, operation in oas.operations(document):
        if "operationId" in operation:
            yield path, method, operation


def remove_operations(
    document: dict[str, Any], which: Callable[[str, str, dict[str, Any]], bool], prune: bool = False
) -> list[str]:
    """Remove from `document` the operations `which(path, method, operation)` picks, and every link to them;
    with `prune`, also the path items left with no operation. Returns their operationIds, sorted."""
    removed = sorted(op["operationId"] for path, method, op in operations(document) if which(path, method, op))
    for path, method, operation in list(operations(document)):
        if operation["operationId"] in removed:
            del document["paths"][path][method]
    for _, _, operation in operations(document):
        for response in operation.get("responses", {}).values():
            links = response.get("links", {})
            for name in [n for n, link in links.items() if link.get("operationId") in removed]:
                del links[name]
    if prune:
        document["paths"] = {
            path: item
            for path, item in document["paths"].items()
            if any(isinstance(o, dict) and "operationId" in o for o in item.values())
        }
    return removed


def marker(operation: dict[str, Any]) -> dict[str, Any]:
    """The operation's `x-currents-contract`, or {}."""
    found = operation.get(MARKER, {})
    return found if isinstance(found, dict) else {}


def is_write(method: str, operation: dict[str, Any]) -> bool:
    """Whether calling the operation may change data: its method is not GET and its marker does not say otherwise."""
    return bool(marker(operation).get("writes", method.upper() != "GET"))


def is_account_wide(operation: dict[str, Any]) -> bool:
    """Whether the operation's answer names every project of the account (the projects listing)."""
    return bool(marker(operation).get("account-wide", False))


def secret_fields(operation: dict[str, Any]) -> list[str]:
    """The fields of the operation's answers that may hold a secret (its marker's `secret-fields`)."""
    return [str(name) for name in marker(operation).get("secret-fields", [])]


def parameters(document: dict[str, Any], operation: dict[str, Any]) -> list[dict[str, Any]]:
    """The operation's parameters, the shared ones (`$ref`) resolved."""
    shared = document.get("components", {}).get("parameters", {})
    return [shared[p["$ref"].rsplit("/", 1)[-1]] if "$ref" in p else p for p in operation.get("parameters", [])]


def is_create(document: dict[str, Any], method: str, operation: dict[str, Any]) -> bool:
    """Whether the operation makes an object: a write with no path parameter whose answer links on."""
    in_path = [p for p in parameters(document, operation) if p.get("in") == "path"]
    linked = any(r.get("links") for r in operation.get("responses", {}).values())
    return is_write(method, operation) and not in_path and linked


def created_parameters(document: dict[str, Any]) -> set[str]:
    """The parameters that the links of a create's answer fill: the ids of the objects creates make."""
    return {
        name
        for _, method, operation in operations(document)
        if is_create(document, method, operation)
        for response in operation.get("responses", {}).values()
        for link in response.get("links", {}).values()
        for name in link.get("parameters", {})
    }


def takes_known_tests(operation: dict[str, Any]) -> bool:
    """Whether the stateful walk sends the operation, as its body, a test it knows."""
    return marker(operation).get("body-from") == "known-tests"


def operation_settings(document: dict[str, Any]) -> list[dict[str, Any]]:
    """schemathesis's `[[operations]]` tables, as dicts, for the operations the spec marks."""
    settings = []
    for _, _, operation in operations(document):
        found = marker(operation)
        checks: dict[str, Any] = {}
        refusals = found.get("state-refusals", [])
        if refusals:
            statuses = ["2xx", *(str(s) for s in sorted({*ACCEPTED, *(int(r) for r in refusals)}))]
            checks["positive_data_acceptance"] = {"expected-statuses": statuses}
        if found.get("soft-deleted"):
            checks["use_after_free"] = {"enabled": False}
        if checks:
            settings.append({"include-operation-id": operation["operationId"], "checks": checks})
    return settings


def _toml_table(setting: dict[str, Any]) -> str:
    lines = ["[[operations]]", f"include-operation-id = {json.dumps(setting['include-operation-id'])}"]
    for check, options in setting["checks"].items():
        for option, value in options.items():
            lines.append(f"checks.{check}.{option} = {json.dumps(value)}")
    return "\n".join(lines) + "\n"


def config_text(base: str, document: dict[str, Any]) -> str:
    """`base` (schemathesis.toml's text) with the `[[operations]]` tables of `document`'s marked operations."""
    tables = [_toml_table(s) for s in operation_settings(document)]
    header = f"\n# Per operation, from the spec's `{MARKER}` markers (scripts/contract/registry.py).\n"
    return base + (header + "\n".join(tables) if tables else "")


def write_config(base: str, document: dict[str, Any], destination: Path) -> Path:
    """Write `config_text(base, document)` to `destination`; return it."""
    destination.write_text(config_text(base, document), encoding="utf-8")
    return destination
