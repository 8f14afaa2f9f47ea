"""The mock's world: projects, runs and instances that agree with each other, the same on every start.

Scope: `build_world()` returns a `World` made of
- the spec's seed instances and every fixture instance, served byte for byte as before; the fixture
  instances that share a `runId` make one run, and each seed is a run of its own;
- runs made by a seeded generator (`SEED`) from the completed and in-progress fixture instances of each
  runner, so that the world holds at least `MIN_RUNS` runs over every project: complete (passed and
  failed), in progress, canceled and timed out, on several branches, tags and authors, spread over dates.
  A generated instance is a copy of a fixture instance of the same runner with new ids, spec path, group,
  machine and commit; the spec path picks the template, so a spec always holds the same tests (and test
  signatures) from run to run.

Every run is derived from its instances (`derive_run`): `specs[]` name them, each group's `instances` and
`tests` progress is the sum of what its instances hold, and `status` follows from their results.

Errors: `CorpusError`, one line naming the fixture or example a run cannot be derived from.

Limits: runs hold one runner each (a Cypress run carries `cypressVersion`); times are fixed, not relative
to today. The generator's choices depend only on `SEED` and the fixture corpus.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from contract_tests.mock_api import settings_seed
from contract_tests.mock_api.corpus import CorpusError, StoredInstance, load_instances

SEED = 20260101
MIN_RUNS = 48
GENERATED_START = dt.datetime(2025, 9, 1, 6, 0, tzinfo=dt.UTC)
TIMEOUT_MS = 3_600_000
# The counts a run's spec carries from its instance's stats (a run lists no field its spec does not).
RUN_SPEC_STATS = frozenset(
    {"overall", "tests", "passes", "failures", "pending", "skipped", "flaky", "retries"}
    | {"wallClockStartedAt", "wallClockEndedAt", "wallClockDuration"}
)

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


def as_dict(value: object) -> dict[str, Any]:
    """`value` if it is a JSON object, else an empty one (payloads may hold null where an object is usual)."""
    return value if isinstance(value, dict) else {}


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_iso(text: object, fallback: dt.datetime = GENERATED_START) -> dt.datetime:
    """A payload's date-time; `fallback` for one that is not (a fixture may be broken on purpose: the mock
    still serves it, and the contract checks report it)."""
    try:
        moment = dt.datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return fallback
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

    def body(self) -> dict[str, Any]:
        return {
            "projectId": self.project_id,
            "name": self.name,
            "createdAt": iso(self.created_at),
            "inactivityTimeoutSeconds": 7200,
            "failFast": self.project_id == "Prj9Zb",
        }


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


# Runs derived from instances


def group_progress(instances: list[Instance]) -> dict[str, Any]:
    completed = [i for i in instances if i.completed]
    failed = [i for i in completed if int(i.stats.get("failures") or 0) > 0]
    tests = {key: 0 for key in ("overall", "tests", "passes", "failures", "pending", "skipped", "flaky", "retries")}
    for instance in instances:
        stats = instance.stats
        tests["tests"] += int(stats.get("tests") or 0)
        for key in ("passes", "failures", "pending", "skipped", "flaky", "retries"):
            tests[key] += int(stats.get(key) or 0)
    tests["overall"] = tests["tests"]
    return {
        "instances": {
            "overall": len(instances),
            "claimed": sum(1 for i in instances if i.claimed),
            "complete": len(completed),
            "passes": len(completed) - len(failed),
            "failures": len(failed),
        },
        "tests": tests,
    }


def spec_entry(instance: Instance) -> dict[str, Any]:
    data = instance.data
    results = data.get("results") if isinstance(data.get("results"), dict) else None
    entry: dict[str, Any] = {
        "groupId": data.get("groupId"),
        "spec": data.get("spec"),
        "instanceId": instance.instance_id,
        "claimedAt": data.get("claimedAt") or (data.get("createdAt") if instance.claimed else None),
        "completedAt": instance.completed_at,
        "machineId": data.get("machineId") or "",
        "tags": [t for t in data.get("tags") or [] if isinstance(t, str)],
        "inactivityTimeoutMs": None,
        "results": None,
    }
    if results is not None and instance.stats:
        stats = {k: v for k, v in instance.stats.items() if k in RUN_SPEC_STATS}
        stats.setdefault("overall", stats.get("tests", 0))
        stats.setdefault("flaky", 0)
        stats.setdefault("retries", 0)
        entry["results"] = {"stats": stats, "flaky": int(stats.get("flaky") or 0), "videoUrl": None}
    worker = data.get("worker")
    if isinstance(worker, dict) and {"workerIndex", "parallelIndex"} <= worker.keys():
        entry["worker"] = {"workerIndex": worker["workerIndex"], "parallelIndex": worker["parallelIndex"]}
    return entry


def run_status(completion_state: str, groups: list[dict[str, Any]]) -> str:
    failures = sum(g["tests"]["failures"] + g["instances"]["failures"] for g in groups)
    if completion_state == "IN_PROGRESS":
        return "FAILING" if failures else "RUNNING"
    if completion_state == "COMPLETE":
        return "FAILED" if failures else "PASSED"
    return "FAILED"


def derive_run(
    run_id: str,
    instances: list[Instance],
    completion_state: str,
    commit: dict[str, Any],
    ci_build_id: str,
    created_at: dt.datetime,
    tags: list[str],
    cancellation: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The `data` of GET /runs/{runId} for these instances (all of one runner and project)."""
    first = instances[0].data
    by_group: dict[str, list[Instance]] = {}
    for instance in instances:
        by_group.setdefault(str(instance.data.get("groupId")), []).append(instance)
    groups = []
    for group_id, members in by_group.items():
        platform = as_dict(members[0].data.get("platform"))
        groups.append(
            {
                "groupId": group_id,
                "platform": {
                    "osName": str(platform.get("osName") or ""),
                    "osVersion": str(platform.get("osVersion") or ""),
                    "browserName": str(platform.get("browserName") or ""),
                    "browserVersion": str(platform.get("browserVersion") or ""),
                },
                **group_progress(members),
            }
        )
    ended = [parse_iso(end) for i in instances if (end := i.completed_at) is not None]
    duration = max(0, int(((max(ended) if ended else created_at) - created_at).total_seconds() * 1000))
    body: dict[str, Any] = {
        "runId": run_id,
        "projectId": instances[0].project_id,
        "createdAt": iso(created_at),
        "durationMs": duration,
        "tags": tags,
        "timeout": {"isTimeout": True, "timeoutValueMs": TIMEOUT_MS}
        if completion_state == "TIMEOUT"
        else {"isTimeout": False},
        "groups": groups,
        "meta": {"ciBuildId": ci_build_id, "commit": commit},
        "specs": [spec_entry(i) for i in instances],
        "completionState": completion_state,
        "status": run_status(completion_state, groups),
    }
    framework = first.get("framework") if isinstance(first.get("framework"), dict) else None
    if instances[0].runner == "cypress":
        body["cypressVersion"] = str(first.get("cypressVersion") or (framework or {}).get("version") or "13.0.0")
    if framework is not None and {"type", "version", "clientVersion"} <= framework.keys():
        body["meta"]["framework"] = {k: framework[k] for k in ("type", "version", "clientVersion")}
    if cancellation is not None:
        body["cancellation"] = cancellation
    return body


def run_commit(source: dict[str, Any]) -> dict[str, Any]:
    """A run's `meta.commit` from an instance's `commit` (the fields runs carry)."""
    commit = source if isinstance(source, dict) else {}
    out: dict[str, Any] = {
        "sha": commit.get("sha"),
        "branch": commit.get("branch"),
        "authorName": commit.get("authorName"),
        "authorEmail": commit.get("authorEmail"),
        "message": commit.get("message"),
        "remoteOrigin": commit.get("remoteOrigin"),
        "defaultBranch": None,
    }
    if isinstance(commit.get("ghaEventData"), dict):
        out["ghaEventData"] = commit["ghaEventData"]
    return out


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


def runners(instances: Iterable[Instance]) -> set[str]:
    return {i.runner for i in instances}
