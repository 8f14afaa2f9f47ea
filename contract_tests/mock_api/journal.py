"""What the mock saw: every request's method, every routed exchange, and which ids it had handed out.

Scope: one `Journal` per mock process, written by the middleware and `rest.Operations`, read by tests:
- `methods`: the method of every request received, authenticated or not (the write guard's proof).
- `exchanges`: one `Exchange` per routed request: the operation (method and path template), its path ids,
  its status, and for each id the operations whose earlier responses carried that id. A request whose
  id came from an earlier response is one that followed a link.
- `faults`: exceptions `middleware.NeverServerError` caught; a healthy mock has none.
- `deliveries`: one `Delivery` per webhook delivery the mock made or skipped (`deliveries.Deliveries`): the
  webhook, the event, the run, `delivered`, `failed` or `skipped`, and the status or the reason.

Ids are learned from every response body with status 2xx: each value of a field named in `ID_FIELDS`,
anywhere in the body, is remembered with the operation that sent it.

Limits: in memory, guarded by a lock (uvicorn serves on one thread, tests read from another); it grows
with the number of requests, which is fine for a test double.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

ID_FIELDS = ("projectId", "runId", "instanceId", "signature", "actionId", "hookId")

READ_METHODS = ("GET", "HEAD", "OPTIONS")
HARMLESS_POSTS = {("POST", b"/v1/signature/test"), ("POST", "/v1/signature/test")}

Operation = tuple[str, str]  # (method, path template), e.g. ("GET", "/v1/runs/{runId}")


@dataclass(frozen=True)
class Exchange:
    """One routed request and what it used."""

    operation: Operation
    ids: Mapping[str, str]
    status: int
    learned_from: Mapping[str, frozenset[Operation]] = field(default_factory=dict)
    completion_state: str | None = None  # a run's `completionState` in the response, if it sent one run


@dataclass(frozen=True)
class Delivery:
    """One webhook delivery: never its URL or headers (they may carry secrets)."""

    hook_id: str
    event: str
    run_id: str
    outcome: str  # delivered, failed or skipped
    status: int | None = None
    reason: str | None = None
    at: str | None = None

    def done(self, outcome: str, status: int | None = None, reason: str | None = None, at: Any = None) -> Delivery:
        return Delivery(self.hook_id, self.event, self.run_id, outcome, status, reason, None if at is None else str(at))


def walk_ids(value: Any) -> Iterator[str]:
    """Every string value of an `ID_FIELDS` field, at any depth of a JSON value."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, child in item.items():
                if key in ID_FIELDS and isinstance(child, str):
                    yield child
                elif isinstance(child, dict | list):
                    stack.append(child)
        elif isinstance(item, list):
            stack.extend(child for child in item if isinstance(child, dict | list))


class Journal:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.methods: list[str] = []
        self.paths: list[object] = []
        self.exchanges: list[Exchange] = []
        self.faults: list[str] = []
        self.deliveries: list[Delivery] = []
        self._sent_by: defaultdict[str, set[Operation]] = defaultdict(set)

    def received(self, method: str, path: object) -> None:
        with self._lock:
            self.methods.append(method)
            self.paths.append(path)

    def fault(self, description: str) -> None:
        with self._lock:
            self.faults.append(description)

    def delivery(self, record: Delivery) -> None:
        with self._lock:
            self.deliveries.append(record)

    def exchange(self, operation: Operation, ids: Mapping[str, str], status: int, body: Any) -> None:
        """Record a routed request; remember the ids its (2xx) response body carried."""
        with self._lock:
            learned = {name: frozenset(self._sent_by.get(value, ())) for name, value in ids.items()}
            data = body.get("data") if isinstance(body, dict) else None
            state = data.get("completionState") if isinstance(data, dict) else None
            self.exchanges.append(
                Exchange(operation, dict(ids), status, learned, state if isinstance(state, str) else None)
            )
            if 200 <= status < 300:
                for value in walk_ids(body):
                    self._sent_by[value].add(operation)

    def writes(self) -> list[str]:
        """The requests received that may change data: any method but GET, HEAD and OPTIONS, except
        `POST /v1/signature/test`, which computes a signature and stores nothing."""
        with self._lock:
            return [
                f"{method} {path!r}"
                for method, path in zip(self.methods, self.paths, strict=True)
                if method not in READ_METHODS and (method, path) not in HARMLESS_POSTS
            ]
