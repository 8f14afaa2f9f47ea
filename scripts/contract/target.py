"""What `make contract` checks against: the live API (its key, its discovered ids) or the mock, started here.

Scope: `target()` picks the live API when `CURRENTS_API_KEY` is set, else starts the embedded mock on loopback;
a live-only variable without a key is refused (`refuse_live_mode_without_key`). `mock_ids` takes the ids of the
mock's world; `live_target` discovers them (`scripts.contract.discovery`). `preflight` fails in one line when the
key is refused or the API is unreachable; `client_for` is the generated client the checks use.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from kit._cli import UserError
from kit.scrub import Scrubber
from scripts.contract.discovery import CountingTransport, Ids, discover

# Mock mode: how many of the world's ids become examples (the stateful phase finds the rest through links).
MOCK_EXAMPLE_RUNS = 6
# The period the stateful phase asks the mock about: its whole world.
MOCK_WINDOW = ("2020-01-01", "2030-12-31")


@dataclass
class Target:
    """What the checks run against: a base URL, a key, the ids to use, and whether writes may be sent."""

    mode: str  # "mock" or "live"
    base_url: str
    api_key: str = field(repr=False)
    ids: Ids
    allow_writes: bool
    write_project: str | None = None
    counter: CountingTransport = field(default_factory=CountingTransport)
    # (method, path template) of the operations the target answers; None: every operation of the spec (live).
    served: set[tuple[str, str]] | None = None

    @property
    def scrubber(self) -> Scrubber:
        return Scrubber(self.api_key)


def env(name: str) -> str:
    return os.environ.get(name, "").strip()


def listed(name: str) -> list[str]:
    return [part.strip() for part in env(name).split(",") if part.strip()]


def client_for(target: Target, max_retries: int = 3) -> Any:
    """The generated client for `target`, counting every request it sends (retries included). A key or URL the
    client refuses (too short, control characters) is a UserError, scrubbed."""
    from currents_api_client import AuthenticatedClient

    try:
        return AuthenticatedClient(
            token=target.api_key,
            base_url=target.base_url,
            httpx_args={"transport": target.counter},
            max_retries=max_retries,
        )
    except (TypeError, ValueError) as error:
        raise UserError(target.scrubber.text(f"CURRENTS_API_KEY or CURRENTS_API_URL cannot be used: {error}")) from None


def live_target(key: str) -> Target:
    from currents_api_client.client import DEFAULT_BASE_URL

    allow_writes = env("CONTRACT_ALLOW_WRITES") == "1"
    write_project = env("CURRENTS_WRITE_PROJECT_ID") or None
    if allow_writes and write_project is None:
        raise UserError(
            "CONTRACT_ALLOW_WRITES=1 needs CURRENTS_WRITE_PROJECT_ID: the id of a project set aside for "
            "cancel, reset and delete"
        )
    projects = [write_project] if allow_writes and write_project else listed("CURRENTS_PROJECT_IDS")
    target = Target(
        "live", (env("CURRENTS_API_URL") or DEFAULT_BASE_URL).rstrip("/"), key, Ids(), allow_writes, write_project
    )
    with client_for(target) as client:
        target.ids = discover(client, projects, listed("CURRENTS_INSTANCE_IDS"))
    for note in target.ids.notes:
        print(f"contract: {note}")
    if not (target.ids.projects or target.ids.instances):
        raise UserError(
            "live mode found nothing to check: the key sees no project, and CURRENTS_PROJECT_IDS and "
            "CURRENTS_INSTANCE_IDS name none it may read"
        )
    print(
        f"contract: live API at {target.base_url}: {len(target.ids.projects)} project(s), {len(target.ids.runs)} "
        f"run(s), {len(target.ids.instances)} instance(s), {len(target.ids.signatures)} signature(s) discovered; "
        + (
            f"writes allowed in project {write_project} only"
            if allow_writes
            else "read-only (no cancel, reset or delete)"
        )
    )
    return target


def mock_ids(world: Any) -> Ids:
    """Ids of the mock's world: every project, the first runs, every corpus instance, a few signatures."""
    from contract_tests.mock_api.backend import MockBackend

    ids = Ids(projects=sorted(world.projects))
    runs = sorted(world.runs.values(), key=lambda r: r.cursor, reverse=True)
    ids.runs = [r.run_id for r in runs[:MOCK_EXAMPLE_RUNS]]
    ids.instances = sorted(i.instance_id for i in world.instances.values() if not i.source.startswith("generated"))
    executions = sorted(MockBackend(world).executions(), key=lambda e: e.signature)
    ids.signatures = sorted({e.signature for e in executions})[:3]
    known = {e.signature: e for e in executions if e.signature in ids.signatures}
    ids.tests = [
        {"projectId": e.run.project_id, "specFilePath": str(e.instance.data.get("spec")), "testTitle": e.title}
        for e in known.values()
    ]
    ids.window = MOCK_WINDOW
    ids.actions = sorted(world.actions)[:3]
    ids.webhooks = sorted(world.webhooks)[:2]
    return ids


LIVE_ONLY_VARIABLES = ("CURRENTS_INSTANCE_IDS", "CURRENTS_PROJECT_IDS", "CURRENTS_API_URL", "CURRENTS_WRITE_PROJECT_ID")


def refuse_live_mode_without_key() -> None:
    """A live-only variable without a key is a UserError: never a quiet run against the mock."""
    live_only = [name for name in LIVE_ONLY_VARIABLES if env(name)]
    if live_only and not env("CURRENTS_API_KEY"):
        raise UserError(
            f"{' and '.join(live_only)} set but CURRENTS_API_KEY is empty or missing: live mode needs the key "
            "(unset them to run against the mock)"
        )


@contextlib.contextmanager
def target() -> Iterator[Target]:
    """The live API when CURRENTS_API_KEY is set, else the mock, started here and stopped on exit.

    A live-only variable without a key is an error, never a quiet run against the mock: in CI a
    missing secret would otherwise turn into a passing build."""
    key = env("CURRENTS_API_KEY")
    refuse_live_mode_without_key()
    if key:
        yield live_target(key)
        return
    from contract_tests.mock_api.app import create_app
    from contract_tests.mock_api.keys import load_keys
    from contract_tests.mock_api.server import serve_in_thread

    extra = env("MOCK_API_KEY") or None
    keys = load_keys()
    demo = extra or (keys.first_with_every_project() or keys.keys[0]).value
    port = int(env("MOCK_PORT") or 0)
    app = create_app(extra_key=extra)
    ids = mock_ids(app.backend.world)
    with serve_in_thread(app, port=port) as base_url:
        world = app.backend.world
        print(f"contract: mock API on {base_url}: {len(world.projects)} projects, {len(world.runs)} runs")
        yield Target("mock", base_url, demo, ids, allow_writes=True, served=app.served_operations())


def preflight(target: Target) -> None:
    """Fail early, in one line, when the key is refused or the API cannot be reached."""
    from currents_api_client import errors
    from currents_api_client.api.projects import list_projects

    with client_for(target, max_retries=1) as client:
        try:
            response = list_projects.sync_detailed(client=client, limit=1)
        except errors.APIConnectionError as error:
            raise UserError(target.scrubber.text(f"cannot reach the API: {error}")) from None
    if response.status_code == 401:
        raise UserError(f"the API key was refused by {target.base_url} (401): check CURRENTS_API_KEY")
