"""A reader of the installed wheel: runs, instances, commits, platforms and cancellations, with plain `None` checks.

Run by test_wheel.py with the fresh virtualenv's Python (`python reader.py BASE_URL API_KEY`), and
type-checked there with `mypy --strict` against the installed package: every optional field of a response
reads `X | None`, so `if x is not None:` is all the narrowing it needs, with no `Unset` and no `isinstance`
chain. It imports nothing from this project, only the installed package.
"""

from __future__ import annotations

import datetime
import sys

from currents_api_client import AuthenticatedClient
from currents_api_client.api.instances import get_instance
from currents_api_client.api.projects import list_projects
from currents_api_client.api.runs import get_run, list_project_runs
from currents_api_client.models import Commit, Platform, RunCancellation


def commit_line(commit: Commit | None) -> str:
    if commit is None:
        return "no commit"
    branch = commit.branch if commit.branch is not None else "?"
    sha = commit.sha[:7] if commit.sha is not None else "?"
    author = commit.author_name.split()[0] if commit.author_name is not None else "someone"
    return f"{branch}@{sha} by {author}"


def platform_line(platform: Platform | None) -> str:
    if platform is None or platform.os_name is None:
        return "unknown platform"
    browser = f" {platform.browser_name.title()}" if platform.browser_name is not None else ""
    return f"{platform.os_name.lower()}{browser}"


def cancellation_line(cancellation: RunCancellation | None) -> str:
    if cancellation is None:
        return "not canceled"
    when = cancellation.canceled_at.isoformat() if cancellation.canceled_at is not None else "?"
    actor = cancellation.actor if cancellation.actor is not None else "someone"
    return f"canceled by {actor} at {when}"


def seconds(duration_ms: int | None) -> str:
    return "running" if duration_ms is None else f"{duration_ms / 1000:.1f} s"


def main(base_url: str, api_key: str) -> None:
    since = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    with AuthenticatedClient(token=api_key, base_url=base_url) as client:
        for project in list_projects.iterate(client=client, max_items=4):
            for item in list_project_runs.iterate(project.project_id, client=client, date_start=since, max_items=12):
                tags = ",".join(item.tags) if item.tags is not None else "-"
                run = get_run.sync(item.run_id, client=client).data
                meta_commit = run.meta.commit if run.meta is not None else None
                print(
                    f"run {run.run_id} {run.runner} listed-as={item.runner} tags={tags} {seconds(run.duration_ms)} "
                    f"{commit_line(meta_commit)} {cancellation_line(run.cancellation)}"
                )
                if run.timeout is not None and run.timeout.timeout_value_ms is not None:
                    print(f"  times out after {run.timeout.timeout_value_ms} ms")
                for spec in (run.specs or [])[:1]:
                    claimed = spec.claimed_at.astimezone(datetime.UTC).date() if spec.claimed_at is not None else None
                    instance = get_instance.sync(spec.instance_id, client=client).data
                    results = instance.results
                    tests = len(results.tests) if results is not None and results.tests is not None else 0
                    done = instance.completed_at is not None
                    print(
                        f"  instance {instance.instance_id} {instance.runner} {platform_line(instance.platform)} "
                        f"{commit_line(instance.commit)} tests={tests} done={done} claimed={claimed}"
                    )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
