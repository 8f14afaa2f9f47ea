"""The mock's entities: the projects, runs and instances of its world, and the small helpers they share.

Scope: `Instance` (the exact body bytes it is served with, and its parsed `data`), `Project`, `Run` (its body,
the `data` of one run, kept up to date by the backend), `World` (every entity by id, with the actions,
webhooks and GitHub Actions workflow runs of `settings_seed`), and the helpers of their values: `iso` and
`parse_iso` for date-times, `hex_digest` and `make_cursor` for stable ids and cursors, `runner_of` for an
instance's runner. A run's body is derived from its instances by `run_bodies`; the world is seeded by `seed`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from contract_tests.mock_api.corpus import StoredInstance

# The first moment of the seeded world's generated runs, and what a payload's unreadable date-time reads as.
WORLD_START = dt.datetime(2025, 9, 1, 6, 0, tzinfo=dt.UTC)


def as_dict(value: object) -> dict[str, Any]:
    """`value` if it is a JSON object, else an empty one (payloads may hold null where an object is usual)."""
    return value if isinstance(value, dict) else {}


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_iso(text: object, fallback: dt.datetime = WORLD_START) -> dt.datetime:
    """A payload's date-time; `fallback` for one that is not (a fixture may be broken on purpose: the mock
    still serves it, and the contract checks report it)."""
    try:
        moment = dt.datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return fallback
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def parse_moment(value: str) -> dt.datetime | None:
    """The instant of an RFC 3339 date-time, or None when Python cannot hold it (a leap second, say)."""
    try:
        moment = dt.datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def hex_digest(*parts: str, length: int = 32) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:length]


def make_cursor(moment: dt.datetime, key: str) -> str:
    """A 24-hex cursor like Currents' (a database id): creation second first, then a stable hash."""
    return f"{int(moment.timestamp()):08x}{hex_digest('cursor', key, length=16)}"


def runner_of(data: dict[str, Any]) -> str:
    """`cypress` for a Cypress instance (it has `cypressVersion` or that framework type), else the framework type."""
    framework = as_dict(data.get("framework"))
    if "cypressVersion" in data or framework.get("type") == "cypress":
        return "cypress"
    return str(framework.get("type") or "unknown")


@dataclass
class Instance:
    """One instance: the exact body bytes it is served with, and its parsed `data` for the derived views."""

    instance_id: str
    project_id: str
    run_id: str
    runner: str
    body: bytes = field(repr=False)
    data: dict[str, Any] = field(repr=False)
    source: str = ""

    @property
    def completed(self) -> bool:
        """Finished: it has results, and a `completedAt` unless the payload has no such field (a seed example)."""
        return self.data.get("completedAt", "absent") is not None and isinstance(self.data.get("results"), dict)

    @property
    def completed_at(self) -> str | None:
        """When it finished: `completedAt`, else (a seed without that field) the end of its wall clock."""
        if not self.completed:
            return None
        end = self.data.get("completedAt") or self.stats.get("wallClockEndedAt") or self.data.get("createdAt")
        return str(end)

    @property
    def claimed(self) -> bool:
        return bool(self.data.get("machineId")) or self.completed

    @property
    def stats(self) -> dict[str, Any]:
        results = self.data.get("results")
        stats = results.get("stats") if isinstance(results, dict) else None
        return stats if isinstance(stats, dict) else {}

    @property
    def tests(self) -> list[dict[str, Any]]:
        results = self.data.get("results")
        tests = results.get("tests") if isinstance(results, dict) else None
        return [t for t in tests if isinstance(t, dict)] if isinstance(tests, list) else []


def instance_from_stored(stored: StoredInstance) -> Instance:
    data = json.loads(stored.body)["data"]
    return Instance(
        instance_id=stored.instance_id,
        project_id=stored.project_id,
        run_id=str(data.get("runId")),
        runner=runner_of(data),
        body=stored.body,
        data=data,
        source=stored.source,
    )


def instance_from_data(data: dict[str, Any], source: str) -> Instance:
    body = json.dumps({"status": "OK", "data": data}, ensure_ascii=False).encode("utf-8")
    return Instance(
        instance_id=data["instanceId"],
        project_id=data["projectId"],
        run_id=data["runId"],
        runner=runner_of(data),
        body=body,
        data=data,
        source=source,
    )


@dataclass
class Project:
    project_id: str
    name: str
    created_at: dt.datetime
    cursor: str


@dataclass
class Run:
    """A run: its body (`data` of GET /runs/{runId}, kept up to date by the backend) and its cursor."""

    run_id: str
    project_id: str
    created_at: dt.datetime
    cursor: str
    body: dict[str, Any] = field(repr=False)
    instance_ids: list[str]

    @property
    def completion_state(self) -> str:
        return str(self.body.get("completionState"))


@dataclass
class World:
    projects: dict[str, Project]
    runs: dict[str, Run]
    instances: dict[str, Instance]
    # Actions and webhooks by id (each body carries its projectId; an action's is kept beside it), and the
    # GitHub Actions workflow run (id, attempt) each run came from: settings_seed.py seeds them.
    actions: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)
    webhooks: dict[str, dict[str, Any]] = field(default_factory=dict)
    github_runs: dict[tuple[str, int], str] = field(default_factory=dict)
