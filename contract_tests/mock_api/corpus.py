"""The instances the mock serves: the fixture corpus plus the spec's two seed examples.

Scope: each instance is stored as the exact bytes it is sent with, prepared once at startup.
A fixture is sent as its file's bytes, unchanged; a seed example (`components.examples`
`CypressInstance` and `PlaywrightInstance` of the bundled spec) is its `value`, serialized once.
Instances are keyed by the UTF-8 bytes of their `instanceId`, so a request's percent-decoded
id is looked up without decoding it as text (an invalid UTF-8 id simply matches nothing).

Limits: read-only; what the fixtures and examples hold is validated by `scripts.spec.check_spec`,
not here. Errors: `CorpusError`, one line naming the example or the repeated id.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from kit._cli import UserError, display_path
from kit.bundle import bundle
from kit.fixtures import Fixture, load_fixtures

SEED_EXAMPLES = ("CypressInstance", "PlaywrightInstance")


class CorpusError(UserError):
    """A seed example or the corpus as a whole cannot be served."""


@dataclass(frozen=True)
class StoredInstance:
    """One servable instance: where it comes from, its project and the body bytes to send."""

    source: str
    instance_id: str
    project_id: str
    body: bytes = field(repr=False)


def from_fixture(fixture: Fixture) -> StoredInstance:
    return StoredInstance(
        source=display_path(fixture.path),
        instance_id=fixture.instance_id,
        project_id=fixture.project_id,
        body=fixture.path.read_bytes(),
    )


def seed_bodies(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The response bodies of the seed examples of a bundled spec, by example name."""
    examples = document.get("components", {}).get("examples", {})
    bodies: dict[str, dict[str, Any]] = {}
    for name in SEED_EXAMPLES:
        value = examples.get(name, {}).get("value")
        data = value.get("data") if isinstance(value, dict) else None
        if not isinstance(data, dict) or not isinstance(data.get("instanceId"), str):
            raise CorpusError(f"components.examples.{name}: expected a value with data.instanceId")
        if not isinstance(data.get("projectId"), str):
            raise CorpusError(f"components.examples.{name}: expected a value with data.projectId")
        bodies[name] = value
    return bodies


def from_seed(name: str, body: dict[str, Any]) -> StoredInstance:
    return StoredInstance(
        source=f"example {name}",
        instance_id=body["data"]["instanceId"],
        project_id=body["data"]["projectId"],
        body=json.dumps(body, ensure_ascii=False).encode("utf-8"),
    )


def index(instances: Iterable[StoredInstance]) -> dict[bytes, StoredInstance]:
    """Instances by the UTF-8 bytes of their id; an id used twice is an error."""
    by_id: dict[bytes, StoredInstance] = {}
    for instance in instances:
        key = instance.instance_id.encode("utf-8")
        if key in by_id:
            raise CorpusError(f"instanceId {instance.instance_id} is used by {by_id[key].source} and {instance.source}")
        by_id[key] = instance
    return by_id


def load_instances() -> dict[bytes, StoredInstance]:
    """Every servable instance: the seed examples first, then the fixtures in manifest order."""
    seeds = [from_seed(name, body) for name, body in seed_bodies(bundle()).items()]
    return index([*seeds, *(from_fixture(f) for f in load_fixtures())])
