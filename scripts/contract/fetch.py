"""The drift fetch of `make contract`: the calls `plan` makes, sent with the generated client, each answer checked.

Scope: `fetch_and_inspect(target, document, client_for)` sends every call of `plan.plan(document, target)` with
the generated client's own function for its operation (`client_call`, found by `client_modules`), and takes
each answer that is the expected one (`Call.expected`; a 404 where the spec marks `may-find-nothing`) and
decodes, with the operation's secret fields replaced, to drift (`drift.inspect_response`). Anything else is a
problem line: an answer with another status (its body shown scrubbed, `shown_body`), one the client cannot
decode, or a call the generated client has no function or parameter for.
"""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
import re
import uuid
from collections.abc import Callable
from functools import cache
from typing import Any

from kit import openapi as oas
from scripts.contract.drift import Documents, Finding, inspect_response
from scripts.contract.plan import Call, by_operation_id, plan
from scripts.contract.registry import marker, secret_fields
from scripts.contract.settings import MISSING_ID, as_uuid, scrub_secret_fields

MAX_BODY_SHOWN = 200  # characters of an unexpected answer's body in its problem line


def _normalise(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


@cache
def client_modules() -> dict[str, Any]:
    """The generated client's endpoint modules, by normalised name (`cancel_run_by_github_ci`: one operation)."""
    package = importlib.import_module("currents_api_client.api")
    found: dict[str, Any] = {}
    for info in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
        if not info.ispkg:
            module = importlib.import_module(info.name)
            if hasattr(module, "sync_detailed"):
                found[_normalise(info.name.rsplit(".", 1)[-1])] = module
    return found


def client_call(call: Call, client: Any) -> Any:
    """Send `call` with the generated client's own function for its operation: a Response."""
    module = client_modules().get(_normalise(call.operation_id))
    if module is None:
        raise LookupError(f"the generated client has no module for {call.operation_id}")
    function = module.sync_detailed
    signature = inspect.signature(function)
    by_name = {_normalise(name): name for name in signature.parameters}
    arguments = dict(call.arguments)
    if call.after is not None:
        for name, pointer in call.from_answer.items():
            found = oas.find(call.after.answer, pointer)
            arguments[name] = MISSING_ID if found is None else found
    kwargs: dict[str, Any] = {}
    for name, value in arguments.items():
        python_name = by_name.get(_normalise(name))
        if python_name is None:
            raise LookupError(f"the generated {call.operation_id} takes no parameter {name!r}")
        kwargs[python_name] = _typed(signature.parameters[python_name].annotation, value)
    if call.body is not None:
        body = call.body(client=client, arguments=arguments) if callable(call.body) else call.body
        kwargs["body"] = signature.parameters["body"].annotation.from_dict(body)
    return function(client=client, **kwargs)


def _typed(annotation: Any, value: Any) -> Any:
    """`value` as the client's parameter takes it: a UUID parameter gets a UUID (a malformed one names none)."""
    return as_uuid(value) if annotation is uuid.UUID and isinstance(value, str) else value


def shown_body(operation: dict[str, Any], scrubber: Any, content: bytes) -> str:
    """An unexpected answer's body for its problem line: the key scrubbed, the operation's secret fields
    replaced (a body that is not JSON, of such an operation, is withheld), then cut to `MAX_BODY_SHOWN`."""
    if secret_fields(operation):
        try:
            content = json.dumps(scrub_secret_fields(operation, json.loads(content))).encode()
        except ValueError:
            return "(body withheld: this operation's answers may hold secrets)"
    return repr(scrubber.bytes(content))[:MAX_BODY_SHOWN]


def fetch_and_inspect(
    target: Any, document: dict[str, Any], client_for: Callable[[Any], Any]
) -> tuple[list[Finding], list[str], set[str]]:
    """One response of every operation the plan names, fetched and decoded with the generated client, then
    inspected for drift. Problems are answers other than the expected one, or that do not decode."""
    from currents_api_client import errors

    documents = Documents.load()
    scrubber = target.scrubber
    findings: list[Finding] = []
    covered: set[str] = set()
    calls, problems = plan(document, target)
    operations_by_id = by_operation_id(document)
    with client_for(target) as client:
        for call in calls:
            _, operation = operations_by_id[call.operation_id]
            try:
                response = client_call(call, client)
            except (errors.CurrentsError, *errors.DECODE_ERRORS) as error:
                reason = scrubber.text(errors.describe(error))
                problems.append(f"{call.source}: the client cannot decode it: {reason}")
                continue
            except (LookupError, TypeError) as error:  # the spec and the generated client disagree
                problems.append(f"{call.source}: cannot be called with the generated client: {error}")
                continue
            status = int(response.status_code)
            if status != call.expected:
                if not (status == 404 and marker(operation).get("may-find-nothing")):
                    problems.append(f"{call.source}: HTTP {status} {shown_body(operation, scrubber, response.content)}")
                continue
            if status >= 300:  # an expected error answer: nothing to inspect
                continue
            if response.parsed is None:
                problems.append(f"{call.source}: the client did not decode the {status} body")
                continue
            # The key scrubbed before anything of the body can be printed, or saved in drift.json.
            call.answer = json.loads(response.content)
            body = scrub_secret_fields(operation, scrubber.data(call.answer))
            finding = inspect_response(documents, call.source, call.operation_id, body, status)
            finding.operation = call.operation_id
            problems += [f"{call.source}: {line}" for line in finding.violations]
            findings.append(finding)
            covered.add(call.operation_id)
    return findings, problems, covered
