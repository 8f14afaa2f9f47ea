# Hand-written, not generated: `make generate` never touches currents_api_client/lib/ (see lib/__init__.py).
"""`currents-api actions`: list, show, create (from a JSON or YAML file), enable, disable and archive a project's
Actions, the rules that quarantine, skip or tag the tests they match.

On a terminal, `list` and `show` print a table and every write one line saying what was done; piped, each
prints one JSON line per action (a write: the API's answer, an archive `{"actionId", "archived"}`). Writes run
because the user typed them: there is no dry run to pass. Server text goes through `text.literal`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from ..api.actions import create_action, delete_action, disable_action, enable_action, get_action, list_actions
from ..client import AuthenticatedClient
from ..models.action_status import ACTION_STATUS_VALUES, ActionStatus
from ..models.create_action_request import CreateActionRequest
from ..models.project_action import ProjectAction
from ..models.rule_action_tag import RuleActionTag
from ..models.rule_matcher import RuleMatcher
from .cli import EXIT_OK, UsageError
from .cli_bodies import decode, read_mapping
from .text import json_line, literal

STATUSES = tuple(sorted(ACTION_STATUS_VALUES))

ACTIONS_EPILOG = """the file of `create` (JSON when it ends in .json, else YAML) is the body of createAction:
  name: Quarantine the flaky checkout test
  description: Fails one run in ten on the payment iframe.   # optional
  action: [{op: quarantine}]          # skip, quarantine, or {op: tag, details: {tags: [a, b]}}
  matcher: {op: AND, cond: [{type: titlePath, op: incAll, value: [checkout.spec.ts, pays by card]}]}
  expiresAfter: 2026-04-30T00:00:00Z  # optional; never expires when left out

A file that cannot be read or has not this shape is refused before any request (exit 2); a body the API
refuses is one line with its message (exit 1). archive is the API's delete: the action stays, `archived`."""


def add_parser(commands: Any) -> None:
    """`actions` and its verbs on the top-level subparsers `commands`."""
    actions = commands.add_parser(
        "actions",
        help="a project's Actions (quarantine, skip or tag tests by rule): list, show, create, enable, ...",
        epilog=ACTIONS_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    verbs = actions.add_subparsers(dest="verb", required=True, metavar="VERB")
    listing = verbs.add_parser("list", help="the actions of a project")
    listing.add_argument("project_id", metavar="PROJECT_ID")
    listing.add_argument("--status", action="append", metavar="STATUS", help=f"{', '.join(STATUSES)}; repeatable")
    listing.add_argument("--search", help="text in the action's name")
    show = verbs.add_parser("show", help="one action, with its rules and matcher")
    show.add_argument("action_id", metavar="ACTION_ID")
    create = verbs.add_parser("create", help="create an action from a JSON or YAML file (see actions --help)")
    create.add_argument("project_id", metavar="PROJECT_ID")
    create.add_argument("file", type=Path, metavar="FILE")
    writes = (("enable", "make an action active again"), ("disable", "pause an action"), ("archive", "archive it"))
    for verb, what in writes:
        verbs.add_parser(verb, help=what).add_argument("action_id", metavar="ACTION_ID")


def command_actions(args: argparse.Namespace, out: Console, client: Callable[[], AuthenticatedClient]) -> int:
    if args.verb == "list":
        return _list(args, out, client)
    if args.verb == "create":
        body = decode(args.file, read_mapping(args.file), CreateActionRequest.from_dict)  # before any request
        with client() as api:
            created = create_action.sync(client=api, body=body, project_id=args.project_id).data
        line = f"created action {_named(created)} in project {literal(args.project_id)}: {literal(created.status)}"
        return _done(out, created, line)
    with client() as api:
        if args.verb == "show":
            action = get_action.sync(args.action_id, client=api).data
            if _piped():
                _write(action.to_dict())
            else:
                out.print(action_table(action))
            return EXIT_OK
        if args.verb == "archive":
            archived = delete_action.sync(args.action_id, client=api).data
            if _piped():
                _write(archived.to_dict())
            else:
                out.print(f"archived action {literal(archived.action_id)}")
            return EXIT_OK
        change = enable_action if args.verb == "enable" else disable_action
        changed = change.sync(args.action_id, client=api).data
    return _done(out, changed, f"{args.verb}d action {_named(changed)}: now {literal(changed.status)}")


def _list(args: argparse.Namespace, out: Console, client: Callable[[], AuthenticatedClient]) -> int:
    status = _statuses(args.status)
    with client() as api:
        items = list_actions.sync(client=api, project_id=args.project_id, status=status, search=args.search).data
    if _piped():
        for item in items:
            _write(item.to_dict())
    else:
        out.print(actions_table(items, f"actions of project {literal(args.project_id)} ({len(items)})"))
    return EXIT_OK


def _statuses(values: list[str] | None) -> list[ActionStatus] | None:
    if values is None:
        return None
    for value in values:
        if value.lower() not in STATUSES:
            raise UsageError(f"--status {value!r} is not one of {', '.join(STATUSES)}")
    return [value.lower() for value in values]  # type: ignore[misc]  # checked against the values just above


def _done(out: Console, action: ProjectAction, line: str) -> int:
    if _piped():
        _write(action.to_dict())
    else:
        out.print(line)
    return EXIT_OK


def _named(action: ProjectAction) -> str:
    return f"{literal(action.action_id)} ({literal(action.name)})"


def _piped() -> bool:
    return not sys.stdout.isatty()


def _write(body: dict[str, Any]) -> None:
    sys.stdout.write(json_line(body) + "\n")
    sys.stdout.flush()


# --- tables ---------------------------------------------------------------------------------------------------------


def rules(action: ProjectAction) -> str:
    """The rule actions in a few words: `quarantine`, `tag: a, b`; `literal` text."""
    words = []
    for rule in action.action:
        if isinstance(rule, RuleActionTag):
            words.append(f"tag: {', '.join(rule.details.tags)}")
        else:
            words.append(rule.op)
    return literal("; ".join(words))


def matcher(rule_matcher: RuleMatcher) -> str:
    """The conditions, one per line, joined by the matcher's operator; `literal` text."""
    lines = []
    for condition in rule_matcher.cond:
        value = condition.value
        shown = "" if value is None else ", ".join(value) if isinstance(value, list) else value
        lines.append(literal(f"{condition.type_} {condition.op} {shown}".rstrip()))
    return f"\n{literal(rule_matcher.op)} ".join(lines)


def _moment(value: Any) -> str:
    return "" if value is None else value.strftime("%Y-%m-%d %H:%M")


def actions_table(items: list[ProjectAction], title: str) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("action", no_wrap=True)
    table.add_column("name", ratio=2)
    table.add_column("status", no_wrap=True)
    table.add_column("does", ratio=1)
    table.add_column("matches", ratio=2)
    table.add_column("expires", no_wrap=True)
    for item in items:
        table.add_row(
            literal(item.action_id),
            literal(item.name),
            literal(item.status),
            rules(item),
            matcher(item.matcher),
            _moment(item.expires_after),
        )
    return table


def action_table(action: ProjectAction) -> Table:
    table = Table(title=f"action {literal(action.action_id)}", title_justify="left", show_header=False)
    table.add_column("field", no_wrap=True, style="bold")
    table.add_column("value")
    rows = [
        ("name", literal(action.name)),
        ("status", literal(action.status)),
        ("description", literal(action.description or "")),
        ("does", rules(action)),
        ("matches", matcher(action.matcher)),
        ("expires", _moment(action.expires_after) or "never"),
        ("created", f"{_moment(action.created_at)} by {literal(action.created_by)}"),
    ]
    for label, moment, who in (
        ("updated", action.updated_at, action.updated_by),
        ("disabled", action.disabled_at, action.disabled_by),
        ("archived", action.archived_at, action.archived_by),
    ):
        if moment is not None:
            rows.append((label, f"{_moment(moment)} by {literal(who or '?')}"))
    for label, value in rows:
        table.add_row(label, value)
    return table
