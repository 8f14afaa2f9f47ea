"""The actions, webhooks and GitHub Actions workflow runs the mock's world starts with (`seed.build_world`).

Per project, sorted by id: an active quarantine action with an expiry after the world's dates, a disabled
skip action and an expired tag action, and one webhook. Every run is the attempt of a GitHub Actions workflow
run (`github_runs`): ids are digits derived from the run id, and every fourth run is attempt 2 of the
workflow run before it. The spec's cancel-by-CI examples (`8123456789`, attempts 1 and 2) name the first two
runs in progress, so that the contract's examples phase cancels a real run of the world.

Nothing here imports the world: `seed_settings` takes the project ids and the runs (id, state) it needs.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

SEEDED_AT = "2025-08-01T09:00:00.000Z"
FAR_EXPIRY = "2099-01-01T00:00:00.000Z"
PAST_EXPIRY = "2025-08-15T00:00:00.000Z"
SEEDER = "seed@example.com"
EXAMPLE_GITHUB_RUN_ID = "8123456789"


def digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def action_id(project_id: str, n: int) -> str:
    return "act_" + digest("action", project_id, str(n))[:10]


def hook_id(project_id: str, n: int) -> str:
    return str(uuid.UUID(hex=digest("webhook", project_id, str(n))[:32], version=4))


def action_body(project_id: str, n: int, name: str, rule: dict[str, Any], matcher: dict[str, Any]) -> dict[str, Any]:
    return {
        "actionId": action_id(project_id, n),
        "name": name,
        "description": None,
        "action": [rule],
        "matcher": matcher,
        "status": "active",
        "createdAt": SEEDED_AT,
        "createdBy": SEEDER,
        "updatedAt": None,
        "updatedBy": None,
        "disabledAt": None,
        "disabledBy": None,
        "archivedAt": None,
        "archivedBy": None,
        "expiresAfter": None,
    }


def seeded_actions(project_id: str) -> list[tuple[str, dict[str, Any]]]:
    """(project id, action body) of a project's seeded actions."""
    quarantine = action_body(
        project_id,
        0,
        "Quarantine the flaky login test",
        {"op": "quarantine"},
        {"op": "AND", "cond": [{"type": "title", "op": "eq", "value": "logs in"}]},
    )
    quarantine["expiresAfter"] = FAR_EXPIRY
    skip = action_body(
        project_id,
        1,
        "Skip the admin suite on release branches",
        {"op": "skip"},
        {
            "op": "OR",
            "cond": [
                {"type": "file", "op": "in", "value": ["tests/admin/admin-1.spec.ts"]},
                {"type": "git_branch", "op": "eq", "value": "release/2026.1"},
            ],
        },
    )
    skip.update(status="disabled", disabledAt=SEEDED_AT, disabledBy=SEEDER)
    tag = action_body(
        project_id,
        2,
        "Tag checkout flakes",
        {"op": "tag", "details": {"tags": ["flaky", "checkout"]}},
        {"op": "AND", "cond": [{"type": "titlePath", "op": "inc", "value": "checkout"}]},
    )
    tag["expiresAfter"] = PAST_EXPIRY
    return [(project_id, a) for a in (quarantine, skip, tag)]


def seeded_webhook(project_id: str) -> dict[str, Any]:
    return {
        "hookId": hook_id(project_id, 0),
        "projectId": project_id,
        "url": f"https://hooks.example.com/currents/{project_id}",
        "headers": None,
        "hookEvents": ["RUN_FINISH", "RUN_TIMEOUT"],
        "label": "Chat bot",
        "createdAt": SEEDED_AT,
        "updatedAt": None,
    }


def github_runs(runs: list[tuple[str, str]]) -> dict[tuple[str, int], str]:
    """(GitHub run id, attempt) -> run id, for `runs` as (run id, completion state) pairs."""
    mapping: dict[tuple[str, int], str] = {}
    ordered = sorted(runs)
    in_progress = [run_id for run_id, state in ordered if state == "IN_PROGRESS"]
    examples = dict(zip(in_progress[:2], ((EXAMPLE_GITHUB_RUN_ID, 1), (EXAMPLE_GITHUB_RUN_ID, 2)), strict=False))
    previous: str | None = None
    for n, (run_id, _) in enumerate(ordered):
        if run_id in examples:
            mapping[examples[run_id]] = run_id
            continue
        if n % 4 == 3 and previous is not None:
            mapping[(previous, 2)] = run_id
            continue
        previous = str(int(digest("github", run_id)[:12], 16) % 10**10 + 10**9)
        mapping[(previous, 1)] = run_id
    return mapping
