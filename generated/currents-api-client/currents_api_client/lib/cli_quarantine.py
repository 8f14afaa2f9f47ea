# Hand-written, not generated: `make generate` never touches currents_api_client/lib/ (see lib/__init__.py).
"""`currents-api flaky --quarantine [--threshold R] [--expires 14d] [--apply]` (see `history.quarantine`).

One line per action on standard output, server text made visible:

    would create  <project> <name>              (plan)          created  <action id> <project> <name>  (--apply)
    keep          <action id> <project> <name>  (it exists; active or disabled)
    would release <action id> <project> <name>  (plan)          released <action id> <project> <name>  (--apply)

and a last line with the counts. Without `--apply` the only requests are `list_actions` reads.
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Callable
from typing import Any

from ..client import AuthenticatedClient
from .cli import EXIT_OK
from .history import quarantine
from .text import visible


def _line(*parts: str) -> None:
    print(visible("  ".join(parts)), flush=True)


def run(args: argparse.Namespace, tests: list[Any], client: Callable[[], AuthenticatedClient]) -> int:
    # a spec that crashed has no title: an action on its file alone would quarantine every test of the file
    flaky = [t for t in tests if t.flake_rate >= args.threshold and t.title]
    project_ids = [args.project_id] if args.project_id else sorted({t.project_id for t in tests})
    expires_at = dt.datetime.now(dt.UTC) + args.expires
    with client() as api:
        plan = quarantine.plan(api, flaky, project_ids)
        for test, action in plan.keep:
            _line("keep", action.action_id, test.project_id, action.name, f"({action.status})")
        for test in plan.create:
            if args.apply:
                made = quarantine.create(api, test, expires_at)
                _line("created", made.action_id, test.project_id, made.name)
            else:
                _line("would create", test.project_id, quarantine.action_name(test))
        for project, action in plan.release:
            if args.apply:
                done = quarantine.release(api, action)
                _line("released", done.action_id, project, done.name)
            else:
                _line("would release", action.action_id, project, action.name)
    verb = "" if args.apply else "would be "
    _line(
        f"{len(plan.create)} {verb}created, {len(plan.keep)} kept, {len(plan.release)} {verb}released "
        f"(threshold {args.threshold:g}, {len(flaky)} flaky tests)"
        + ("" if args.apply else "; nothing written: add --apply")
    )
    return EXIT_OK
