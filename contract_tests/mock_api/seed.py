"""The mock's seeded world: projects, runs and instances that agree with each other, the same on every start.

Scope: `build_world()` returns a `World` made of
- the spec's seed instances and every fixture instance, served byte for byte as before; the fixture
  instances that share a `runId` make one run, and each seed is a run of its own;
- runs made by a seeded generator (`SEED`) from the completed and in-progress fixture instances of each
  runner, so that the world holds at least `MIN_RUNS` runs over every project: complete (passed and
  failed), in progress, canceled and timed out, on several branches, tags and authors, spread over dates.
  A generated instance is a copy of a fixture instance of the same runner with new ids, spec path, group,
  machine and commit; the spec path picks the template, so a spec always holds the same tests (and test
  signatures) from run to run.

Every run is derived from its instances (`run_bodies.derive_run`): `specs[]` name them, each group's
`instances` and `tests` progress is the sum of what its instances hold, and `status` follows from their results.

Errors: `CorpusError`, one line naming the fixture or example a run cannot be derived from.

Limits: times are fixed, not relative to today. The generator's choices depend only on `SEED` and the fixture corpus.
"""

from __future__ import annotations

import copy
import datetime as dt
import random
from typing import Any

from contract_tests.mock_api import settings_seed
from contract_tests.mock_api.corpus import CorpusError, load_instances
from contract_tests.mock_api.entities import (
    WORLD_START,
    Instance,
    Project,
    Run,
    World,
    as_dict,
    hex_digest,
    instance_from_data,
    instance_from_stored,
    iso,
    make_cursor,
    parse_iso,
)
from contract_tests.mock_api.run_bodies import derive_run, run_commit

SEED = 20260101
MIN_RUNS = 48
GENERATED_START = WORLD_START

PROJECT_NAMES = {"Prj7Qa": "Storefront", "Prj9Zb": "Back office", "LPjo81": "Monorepo"}
BRANCHES = ("main", "feat/gift-cards", "fix/flaky-login", "release/2026.1", "chore/deps")
AUTHORS = (
    ("Grace Hopper", "grace.hopper@example.com"),
    ("Katherine Johnson", "katherine.johnson@example.com"),
    ("Alan Turing", "alan.turing@example.com"),
    ("Ada Lovelace", "ada.lovelace@example.com"),
)
TAG_POOL = ("nightly", "smoke", "pr", "regression", "mobile")
AREAS = ("checkout", "search", "account", "billing", "admin", "reports")
# The runner of a generated run, its share of the runs, and the spec path shape.
SPEC_SHAPES = {
    "cypress": "cypress/e2e/{area}/{area}-{n}.cy.ts",
    "pw": "tests/{area}/{area}-{n}.spec.ts",
    "jest": "src/{area}/__tests__/{area}-{n}.test.ts",
    "vitest": "src/{area}/{area}-{n}.test.ts",
    "postman": "collections/{area}-{n}.postman_collection.json",
    "node": "test/{area}-{n}.test.mjs",
}
# The completionState of the k-th generated run of a runner that has an in-progress template.
STATE_CYCLE = ("COMPLETE", "CANCELED", "COMPLETE", "TIMEOUT", "IN_PROGRESS", "COMPLETE")

# Building the world


def corpus_runs(instances: list[Instance]) -> list[tuple[str, list[Instance]]]:
    by_run: dict[str, list[Instance]] = {}
    for instance in instances:
        by_run.setdefault(instance.run_id, []).append(instance)
    return list(by_run.items())


def retarget(
    template: Instance, run_id: str, project_id: str, spec: str, group_id: str, machine_id: str, commit: dict[str, Any]
) -> dict[str, Any]:
    """A copy of a template instance's `data` moved into another run, spec, group and commit."""
    data = copy.deepcopy(template.data)
    instance_id = hex_digest("instance", run_id, spec, length=16)
    old_id = data.get("instanceId")
    data.update(instanceId=instance_id, runId=run_id, projectId=project_id, spec=spec, groupId=group_id)
    data["machineId"] = machine_id
    if data.get("id") == old_id and old_id is not None:
        data["id"] = instance_id
    if isinstance(data.get("commit"), dict):
        for key in ("sha", "branch", "authorName", "authorEmail", "message"):
            if key in data["commit"] and commit.get(key) is not None:
                data["commit"][key] = commit[key]
    for test in data["results"]["tests"] if isinstance(data.get("results"), dict) else []:
        if isinstance(test, dict):
            if "spec" in test:
                test["spec"] = spec
            if "groupId" in test:
                test["groupId"] = group_id
    return data


# What a run is made from: id, instances, completionState, commit, CI build id, creation, tags, cancellation.
RunSpec = tuple[str, list[Instance], str, dict[str, Any], str, dt.datetime, list[str], dict[str, Any] | None]


def generated_runs(
    templates: dict[str, list[Instance]],
    pending: dict[str, Instance],
    projects: list[str],
    count: int,
) -> list[RunSpec]:
    rng = random.Random(SEED)
    runners = sorted(templates)
    made: list[RunSpec] = []
    for n in range(count):
        runner = runners[n % len(runners)]
        project_id = projects[(n + n // len(runners)) % len(projects)]
        state = STATE_CYCLE[(n // len(runners)) % len(STATE_CYCLE)] if runner in pending else "COMPLETE"
        created = GENERATED_START + dt.timedelta(days=n * 5 + rng.randint(0, 3), minutes=rng.randint(0, 1200))
        author, email = AUTHORS[rng.randrange(len(AUTHORS))]
        branch = BRANCHES[rng.randrange(len(BRANCHES))]
        run_id = hex_digest("run", str(SEED), str(n))
        sha = hex_digest("sha", run_id, length=40)
        pr = 100 + n
        commit: dict[str, Any] = {
            "sha": sha,
            "branch": branch,
            "authorName": author,
            "authorEmail": email,
            "message": f"{branch.split('/')[0]}: change {n}",
            "remoteOrigin": f"https://github.com/acme-corp/{PROJECT_NAMES.get(project_id, project_id).lower()}",
            "defaultBranch": "main",
        }
        if branch != "main":
            commit["ghaEventData"] = {
                "headRef": branch,
                "headSha": sha,
                "baseRef": "main",
                "baseSha": hex_digest("base", run_id, length=40),
                "issueUrl": f"https://api.github.com/repos/acme-corp/app/issues/{pr}",
                "htmlUrl": f"https://github.com/acme-corp/app/pull/{pr}",
                "prTitle": commit["message"],
                "senderAvatarUrl": "https://avatars.githubusercontent.com/u/1",
                "senderHtmlUrl": "https://github.com/acme-dev",
            }
        tags = sorted(rng.sample(TAG_POOL, rng.randint(0, 2)))
        group_id = f"{runner}-{rng.choice(('ci', 'nightly'))}"
        machines = [hex_digest("machine", run_id, str(m), length=12) for m in range(2)]
        size = rng.randint(2, 4)
        finished = size if state == "COMPLETE" else rng.randint(0, size - 1)
        instances = []
        for s in range(size):
            area = AREAS[(n + s) % len(AREAS)]
            spec = SPEC_SHAPES.get(runner, "{area}-{n}.test").format(area=area, n=s)
            pool = templates[runner]
            template = pool[int(hex_digest("template", project_id, spec), 16) % len(pool)]
            done = s < finished
            source = template if done else pending[runner]
            machine = machines[s % 2] if done or s == finished else ""
            data = retarget(source, run_id, project_id, spec, group_id, machine, commit)
            data["createdAt"] = iso(created + dt.timedelta(seconds=5 * s))
            if done:
                data["completedAt"] = iso(created + dt.timedelta(seconds=40 + 30 * s))
            elif not machine:  # unclaimed: nothing has run yet
                data["results"] = None
            instances.append(instance_from_data(data, f"generated run {n}"))
        cancellation: dict[str, Any] | None = None
        if state == "CANCELED":
            cancellation = {
                "actor": "api:ci-bot",
                "canceledAt": iso(created + dt.timedelta(minutes=3)),
                "reason": "apiRequest",
            }
        ci_build_id = f"{runner}-{created:%Y%m%d}-{n}"
        made.append((run_id, instances, state, commit, ci_build_id, created, tags, cancellation))
    return made


def build_world() -> World:
    """The world every mock process starts from (see the module docstring)."""
    corpus = [instance_from_stored(stored) for stored in load_instances().values()]
    instances = {i.instance_id: i for i in corpus}
    run_specs: list[RunSpec] = []
    for run_id, members in corpus_runs(corpus):
        first = members[0].data
        created = min(parse_iso(m.data.get("createdAt")) for m in members)
        state = "COMPLETE" if all(m.completed for m in members) else "IN_PROGRESS"
        tags = sorted({t for m in members for t in m.data.get("tags") or [] if isinstance(t, str)})
        build = f"{members[0].runner}-{run_id[:8]}"
        run_specs.append((run_id, members, state, run_commit(as_dict(first.get("commit"))), build, created, tags, None))
    templates: dict[str, list[Instance]] = {}
    pending: dict[str, Instance] = {}
    for instance in corpus:
        if instance.completed and instance.tests:
            templates.setdefault(instance.runner, []).append(instance)
        elif not instance.completed:
            pending.setdefault(instance.runner, instance)
    project_ids = sorted({i.project_id for i in corpus} | set(PROJECT_NAMES))
    wanted = max(0, MIN_RUNS - len(run_specs))
    for spec in generated_runs(templates, pending, project_ids, wanted):
        run_specs.append(spec)
        instances.update((i.instance_id, i) for i in spec[1])
    runs = {}
    for run_id, members, state, commit, build, created, tags, cancellation in run_specs:
        try:
            body = derive_run(run_id, members, state, commit, build, created, tags, cancellation)
        except (TypeError, ValueError, KeyError, AttributeError) as error:
            sources = ", ".join(sorted({m.source for m in members}))
            raise CorpusError(f"{sources}: cannot derive run {run_id} from it: {error!r}") from None
        runs[run_id] = Run(
            run_id=run_id,
            project_id=members[0].project_id,
            created_at=created,
            cursor=make_cursor(created, run_id),
            body=body,
            instance_ids=[m.instance_id for m in members],
        )
    projects = {}
    for project_id in project_ids:
        first_run = min((r.created_at for r in runs.values() if r.project_id == project_id), default=GENERATED_START)
        created = first_run - dt.timedelta(days=30)
        name = PROJECT_NAMES.get(project_id, f"Project {project_id}")
        projects[project_id] = Project(project_id, name, created, make_cursor(created, project_id))
    world = World(projects=projects, runs=runs, instances=instances)
    for project_id in sorted(projects):
        world.actions.update((body["actionId"], (pid, body)) for pid, body in settings_seed.seeded_actions(project_id))
        hook = settings_seed.seeded_webhook(project_id)
        world.webhooks[hook["hookId"]] = hook
    world.github_runs = settings_seed.github_runs([(r.run_id, r.completion_state) for r in runs.values()])
    return world
