"""The plan of the drift fetch of `make contract`: the calls of every operation the spec lists, from the spec itself.

Scope: `plan(document, target)` reads the operations of `generated/openapi.json` and names none of them:
- A read (`registry.is_write` is false) is called once per id its path names, for the ids discovery
  found (`ID_PARAMETERS` says which parameter takes which kind, `FETCH_LIMITS` how many of each); one with no
  path id but a required id in its query (a project) once per such id; any other once. Its other required
  parameters take the last ten years (`PERIOD_PARAMETERS`) or the spec's example. A read with a body sends
  a test discovery found where the spec marks `body-from: known-tests`, else the spec's example with the
  project replaced by a discovered one.
- Writes, only where the run may send them (always on the mock; live with `CONTRACT_ALLOW_WRITES=1`):
  - each *life cycle*: a create (a write with no path id whose documented answer has links) in the project set
    aside, then the operations its answer links to, walked through the links (`life_cycle`), each on the
    object the create answered;
  - the writes on a discovered object of a kind a write may name (`WRITABLE_KINDS`: a run, which live with
    writes comes only from the project set aside): on the last one discovered, a delete last and a write the
    spec links on from (a cancel) after one it does not (a reset);
  - any other write, once.
  Bodies come from `settings.body_for` (the contract's own, named `CONTRACT_NAME`, where the request would
  leave something behind), else on the mock the spec's example; live, a write with no body of the contract's
  own is not sent, and says so in one line.
`fetch.fetch_and_inspect` sends them.

Expected answers: the status the operation documents for success (a create's 201), or the one `body_for`
names (live, a cancel by CI of no workflow run: 404); a 404 of an operation the spec marks `may-find-nothing`
is expected too (nothing matched the search).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from scripts.contract.registry import is_create, marker, operations, parameters
from scripts.contract.registry import is_write as writes
from scripts.contract.settings import body_for

# The path and query parameters that take ids, and which kind of discovered id each takes.
ID_PARAMETERS = {"projectId": "projects", "runId": "runs", "instanceId": "instances", "signature": "signatures"}
ID_PARAMETERS.update(actionId="actions", hookId="webhooks")
# How many ids of each kind the drift fetch reads (None: all that discovery found).
FETCH_LIMITS: dict[str, int | None] = {"projects": 3, "runs": 6, "instances": None, "signatures": 2}
FETCH_LIMITS.update(actions=1, webhooks=1)
# The discovered kinds a write may name: live with writes, only the runs of the project set aside are discovered.
# The objects a create makes (actions, webhooks) are written only where the fetch made them (`life_cycle`).
WRITABLE_KINDS = ("runs",)
# The query parameters that bound a period: the drift fetch asks for the last ten years.
PERIOD_PARAMETERS = ("date_start", "date_end")
PERIOD_DAYS = 3650
_LINK_VALUE = re.compile(r"^\$response\.body#(?P<pointer>/.*)$")


@dataclass
class Call:
    """One request of the drift fetch: an operation, what it is about (for its report line), its arguments by
    the spec's parameter names, its body, and the status that answers it as expected."""

    operation_id: str
    subject: str
    method: str
    arguments: dict[str, Any] = field(default_factory=dict)
    body: Any = None
    expected: int = 200
    # In a life cycle: the call whose answer gives this one's arguments, and how (parameter -> JSON pointer).
    after: Call | None = None
    from_answer: dict[str, str] = field(default_factory=dict)
    answer: Any = None  # the decoded JSON body, once sent

    @property
    def source(self) -> str:
        return f"{self.operation_id} {self.subject}"


def _success(operation: dict[str, Any]) -> int:
    return min(int(status) for status in operation.get("responses", {}) if status.isdigit() and status[0] == "2")


def _example(parameter_or_content: dict[str, Any]) -> Any:
    if "example" in parameter_or_content:
        return parameter_or_content["example"]
    examples: dict[str, dict[str, Any]] = parameter_or_content.get("examples") or {}
    return next(iter(examples.values()), {}).get("value")


def _id_kind(parameter: dict[str, Any]) -> str | None:
    return ID_PARAMETERS.get(parameter.get("name", ""))


def _ids(target: Any, kind: str) -> list[str]:
    values: list[str] = list(getattr(target.ids, kind))
    limit = FETCH_LIMITS.get(kind)
    return values if limit is None else values[:limit]


def _period() -> dict[str, str]:
    end = dt.datetime.now(dt.UTC)
    start = end - dt.timedelta(days=PERIOD_DAYS)
    return dict(zip(PERIOD_PARAMETERS, (start.isoformat(), end.isoformat()), strict=True))


def _other_arguments(
    document: dict[str, Any], operation: dict[str, Any], target: Any, taken: set[str]
) -> dict[str, Any] | str:
    """Values for the required parameters not in `taken`: the period, or the spec's example; else what is missing.
    Live, an id the discovery did not find is missing: the spec's example ids name the docs' accounts."""
    arguments: dict[str, Any] = {}
    period = _period()
    for parameter in parameters(document, operation):
        name = parameter.get("name", "")
        if name in taken or not parameter.get("required"):
            continue
        if name in period:
            arguments[name] = period[name]
        elif _id_kind(parameter) and target.mode == "live":
            return f"no discovered id for its required parameter {name!r}"
        elif (value := _example(parameter)) is not None:
            arguments[name] = value
        else:
            return f"no value for its required parameter {name!r}"
    return arguments


def _request_body(operation: dict[str, Any], target: Any, subject: str) -> Any:
    content = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if content is None:
        return None
    if marker(operation).get("body-from") == "known-tests" and target.ids.tests:
        return target.ids.tests[0]
    body = _example(content)
    if isinstance(body, dict) and "projectId" in body and target.ids.projects:
        body = {**body, "projectId": subject if subject in target.ids.projects else target.ids.projects[0]}
    return body


def read_calls(document: dict[str, Any], target: Any) -> Iterator[Call | str]:
    """The calls of every read operation (module docstring), or a line saying why one cannot be planned."""
    for path, method, operation in operations(document):
        if writes(method, operation):
            continue
        operation_id, listed = operation["operationId"], parameters(document, operation)
        path_ids = [p for p in listed if p.get("in") == "path" and _id_kind(p)]
        query_ids = [p for p in listed if p.get("in") == "query" and p.get("required") and _id_kind(p)]
        by_id = (path_ids or query_ids)[:1]
        subjects: list[tuple[dict[str, Any], str]] = (
            [({by_id[0]["name"]: value}, value) for value in _ids(target, str(_id_kind(by_id[0])))]
            if by_id
            else [({}, path)]
        )
        for arguments, subject in subjects:
            others = _other_arguments(document, operation, target, set(arguments))
            if isinstance(others, str):
                yield f"{operation_id}: cannot be called: {others}"
                break
            body = _request_body(operation, target, subject)
            yield Call(operation_id, subject, method, {**arguments, **others}, body, _success(operation))


def by_operation_id(document: dict[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    return {op["operationId"]: (method, op) for _, method, op in operations(document)}


def _creates(document: dict[str, Any]) -> list[str]:
    """The operationIds of the creates (`registry.is_create`), in the spec's order."""
    return [op["operationId"] for _, method, op in operations(document) if is_create(document, method, op)]


def _kind(method: str, operation: dict[str, Any]) -> str:
    if not writes(method, operation):
        return "read"
    return "delete" if method == "delete" else "write"


def life_cycle(document: dict[str, Any], create_id: str) -> list[tuple[str, str, dict[str, str]]]:
    """The walk from a create through its links: (operationId, the one it follows, parameter -> JSON pointer).

    At each step the next is the first link to a write not yet made (not a delete), else to a read not made
    since the last write, else to a delete not yet made; after a delete, reads only where the spec marks the
    delete `soft-deleted` (the object still reads). The walk ends where no link qualifies."""
    operations_by_id = by_operation_id(document)
    steps: list[tuple[str, str, dict[str, str]]] = []
    made: set[str] = set()
    read_since_write: set[str] = set()
    current = create_id
    while True:
        method, operation = operations_by_id[current]
        gone = method == "delete" and not marker(operation).get("soft-deleted")
        links: dict[str, list[dict[str, Any]]] = {"read": [], "write": [], "delete": []}
        for response in operation.get("responses", {}).values():
            for link in response.get("links", {}).values():
                if link.get("operationId") in operations_by_id:
                    links[_kind(*operations_by_id[link["operationId"]])].append(link)
        choice = next((lk for lk in links["write"] if lk["operationId"] not in made), None)
        if choice is None and not gone:
            choice = next((lk for lk in links["read"] if lk["operationId"] not in read_since_write), None)
        if choice is None:
            choice = next((lk for lk in links["delete"] if lk["operationId"] not in made), None)
        if choice is None:
            return steps
        pointers = {}
        for name, expression in choice.get("parameters", {}).items():
            found = _LINK_VALUE.match(str(expression))
            if found:
                pointers[name] = found["pointer"]
        steps.append((choice["operationId"], current, pointers))
        if _kind(*operations_by_id[choice["operationId"]]) == "read":
            read_since_write.add(choice["operationId"])
        else:
            made.add(choice["operationId"])
            read_since_write = set()
        current = choice["operationId"]


def _write_call(
    document: dict[str, Any], target: Any, project: str, operation: dict[str, Any], subject: str, method: str
) -> Call | str:
    """The call of a write, or why it is not sent: live, only a body of the contract's own is sent."""
    body, expected = body_for(document, operation, target, project)
    if body is None and "requestBody" in operation:
        if target.mode == "live":
            return "not sent live: the contract has no body of its own for it (scripts/contract/settings.py)"
        body = _request_body(operation, target, project)
    return Call(operation["operationId"], subject, method, body=body, expected=expected or _success(operation))


def _arguments(document: dict[str, Any], operation: dict[str, Any], target: Any, project: str) -> dict[str, Any] | str:
    """A write's required query arguments: the project set aside where it takes a project, else `_other_arguments`."""
    query = [p for p in parameters(document, operation) if p.get("in") == "query" and p.get("required")]
    projects = {p["name"]: project for p in query if _id_kind(p) == "projects"}
    in_path = {p["name"] for p in parameters(document, operation) if p.get("in") == "path"}
    others = _other_arguments(document, operation, target, set(projects) | in_path)
    return others if isinstance(others, str) else {**projects, **others}


def write_calls(document: dict[str, Any], target: Any) -> tuple[list[Call], list[str]]:
    """The writes of the drift fetch (module docstring), in the order they are sent, and a line for each write
    that is not sent."""
    project = target.write_project or (target.ids.projects[0] if target.ids.projects else None)
    if not (target.allow_writes and project):
        return [], []
    operations_by_id = by_operation_id(document)
    calls: list[Call] = []
    problems: list[str] = []
    in_cycles: set[str] = set()

    def planned(operation: dict[str, Any], subject: str, method: str, path_arguments: dict[str, str]) -> Call | None:
        call = _write_call(document, target, project, operation, subject, method)
        arguments = _arguments(document, operation, target, project)
        if isinstance(call, str) or isinstance(arguments, str):
            problems.append(f"{operation['operationId']}: {call if isinstance(call, str) else arguments}")
            return None
        call.arguments = {**arguments, **path_arguments}
        return call

    for create_id in _creates(document):
        in_cycles.add(create_id)
        method, operation = operations_by_id[create_id]
        first = planned(operation, project, method, {})
        if first is None:
            continue
        calls.append(first)
        by_id = {create_id: first}
        for operation_id, after, pointers in life_cycle(document, create_id):
            in_cycles.add(operation_id)
            step_method, step = operations_by_id[operation_id]
            call = planned(step, "created", step_method, {})
            if call is None:
                break  # the rest of the cycle needs this step
            call.after, call.from_answer = by_id[after], pointers
            by_id[operation_id] = call
            calls.append(call)
    on_discovered: list[tuple[tuple[bool, bool], Call]] = []
    others: list[Call] = []
    for path, method, operation in operations(document):
        if not writes(method, operation) or operation["operationId"] in in_cycles:
            continue
        in_path = [p for p in parameters(document, operation) if p.get("in") == "path"]
        if any(_id_kind(p) not in WRITABLE_KINDS for p in in_path):
            continue  # an object the run did not make is someone else's: written only through a life cycle
        values = [list(getattr(target.ids, str(_id_kind(p)))) for p in in_path]
        if not all(values):
            continue
        subject = values[0][-1] if in_path else path
        call = planned(operation, subject, method, {p["name"]: v[-1] for p, v in zip(in_path, values, strict=True)})
        if call is None:
            continue
        if not in_path:
            others.append(call)
            continue
        # A delete last; before it, the writes the spec links on from (a cancel) after those it does not (a reset).
        linked = any(r.get("links") for r in operation.get("responses", {}).values())
        on_discovered.append(((method == "delete", linked), call))
    on_discovered.sort(key=lambda pair: pair[0])  # stable: the spec's order otherwise
    return calls + [call for _, call in on_discovered] + others, problems


def plan(document: dict[str, Any], target: Any) -> tuple[list[Call], list[str]]:
    """Every call of the drift fetch, in order, and a line for each operation that cannot be planned."""
    calls: list[Call] = []
    problems: list[str] = []
    for planned in read_calls(document, target):
        if isinstance(planned, str):
            problems.append(planned)
        else:
            calls.append(planned)
    written, not_sent = write_calls(document, target)
    return calls + written, problems + not_sent
