# Hand-written, not generated: `make generate` never touches currents_api_client/lib/ (see lib/__init__.py).
"""`currents-api webhooks`: list, show, create (from a JSON or YAML file) and delete a project's webhooks, and
`listen`, a local receiver of deliveries (`cli_listen`).

A webhook's `headers` carry the secret its receiver checks, so they are never printed: a table says whether
they are set, JSON Lines carry `"headers": "REDACTED"` (or `null` when there are none), and an error the API
sends back has every header value (and the headers' text) replaced by `REDACTED` before it is shown. The
output rules are `cli_actions`': tables and one line per write on a terminal, JSON Lines when piped.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any
from uuid import UUID

from rich.console import Console
from rich.table import Table

from ..api.webhooks import create_webhook, delete_webhook, get_webhook, list_webhooks
from ..client import AuthenticatedClient
from ..errors import CurrentsError
from ..models.create_webhook_request import CreateWebhookRequest
from ..models.webhook import Webhook
from . import cli_listen
from .cli import EXIT_OK, UsageError
from .cli_bodies import decode, read_mapping
from .text import json_line, literal

REDACTED = "REDACTED"

WEBHOOKS_EPILOG = """the file of `create` (JSON when it ends in .json, else YAML) is the body of createWebhook:
  url: https://hooks.example.com/currents
  hookEvents: [RUN_FINISH, RUN_TIMEOUT]   # RUN_START, RUN_FINISH, RUN_TIMEOUT, RUN_CANCELED
  label: Chat bot                         # optional
  headers: {Authorization: Bearer ...}    # optional: a mapping of strings, or the JSON text of one

headers are never printed: tables say `set (not shown)`, JSON Lines carry "headers": "REDACTED", and an error
the API sends back has their values replaced by REDACTED. A file that cannot be read or has not this shape is
refused before any request (exit 2); a body the API refuses is one line with its message (exit 1).

`listen` receives deliveries on 127.0.0.1 (`--port`) and prints each verified event, JSON Lines when piped:
  CURRENTS_WEBHOOK_SECRET=... currents-api webhooks listen --port 8787 --secret-header X-Currents-Secret"""


def add_parser(commands: Any) -> None:
    """`webhooks` and its verbs on the top-level subparsers `commands`."""
    webhooks = commands.add_parser(
        "webhooks",
        help="a project's webhooks (never printing their headers): list, show, create, delete; listen",
        epilog=WEBHOOKS_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    verbs = webhooks.add_subparsers(dest="verb", required=True, metavar="VERB")
    verbs.add_parser("list", help="the webhooks of a project").add_argument("project_id", metavar="PROJECT_ID")
    verbs.add_parser("show", help="one webhook").add_argument("hook_id", metavar="HOOK_ID")
    create = verbs.add_parser("create", help="create a webhook from a JSON or YAML file (see webhooks --help)")
    create.add_argument("project_id", metavar="PROJECT_ID")
    create.add_argument("file", type=Path, metavar="FILE")
    verbs.add_parser("delete", help="delete a webhook").add_argument("hook_id", metavar="HOOK_ID")
    cli_listen.add_parser(verbs)


def command_webhooks(args: argparse.Namespace, out: Console, client: Callable[[], AuthenticatedClient]) -> int:
    if args.verb == "listen":  # a local receiver: no API key, no request to the API
        return cli_listen.listen(args, out)
    if args.verb == "list":
        with client() as api:
            hooks = list_webhooks.sync(client=api, project_id=args.project_id).data
        if _piped():
            for hook in hooks:
                _write(redacted(hook))
        else:
            out.print(webhooks_table(hooks, f"webhooks of project {literal(args.project_id)} ({len(hooks)})"))
        return EXIT_OK
    if args.verb == "create":
        return _create(args, out, client)
    hook_id = _uuid(args.hook_id)
    with client() as api:
        if args.verb == "show":
            hook = get_webhook.sync(hook_id, client=api).data
            if _piped():
                _write(redacted(hook))
            else:
                out.print(webhook_table(hook))
            return EXIT_OK
        deleted = delete_webhook.sync(hook_id, client=api).data
    if _piped():
        _write(deleted.to_dict())
    else:
        out.print(f"deleted webhook {literal(deleted.hook_id)} of project {literal(deleted.project_id)}")
    return EXIT_OK


def _create(args: argparse.Namespace, out: Console, client: Callable[[], AuthenticatedClient]) -> int:
    body = read_mapping(args.file)
    secrets = _header_secrets(args.file, body)  # also writes a mapping of headers as the JSON text the API wants
    request = decode(args.file, body, CreateWebhookRequest.from_dict)  # before any request
    try:
        with client() as api:
            hook = create_webhook.sync(client=api, body=request, project_id=args.project_id).data
    except CurrentsError as error:  # the API's message is printed: never with a header value it echoed
        raise CurrentsError(_hidden(str(error), secrets)) from None
    if _piped():
        _write(redacted(hook))
    else:
        where = f"in project {literal(hook.project_id)}"
        out.print(f"created webhook {literal(str(hook.hook_id))} {where}: {_events(hook)}, headers {_headers(hook)}")
    return EXIT_OK


def _header_secrets(path: Path, body: dict[str, Any]) -> list[str]:
    """The texts to hide (the headers' JSON and each value); `body["headers"]` as JSON text. No message quotes
    them."""
    headers = body.get("headers")
    if headers is None:
        return []
    if isinstance(headers, dict):
        if not all(isinstance(key, str) and isinstance(value, str) for key, value in headers.items()):
            raise UsageError(f"{path}: headers: expected a mapping of strings to strings")
        body["headers"] = json.dumps(headers, ensure_ascii=False)
        values = list(headers.values())
    elif isinstance(headers, str):
        try:
            parsed = json.loads(headers)
        except json.JSONDecodeError:
            parsed = None
        values = [v for v in parsed.values() if isinstance(v, str)] if isinstance(parsed, dict) else []
    else:
        kind = type(headers).__name__
        raise UsageError(f"{path}: headers: expected a mapping of strings or its JSON text, got {kind}")
    return [text for text in (body["headers"], *values) if text]


def _hidden(text: str, secrets: list[str]) -> str:
    for secret in sorted(set(secrets), key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return text


def _uuid(text: str) -> UUID:
    try:
        return UUID(text)
    except ValueError:
        raise UsageError(f"HOOK_ID {text!r} is not a UUID (webhook ids are UUIDs)") from None


def redacted(hook: Webhook) -> dict[str, Any]:
    """`hook.to_dict()` with the headers' value, when there is one, replaced by `REDACTED`."""
    body = hook.to_dict()
    if body.get("headers") is not None:
        body["headers"] = REDACTED
    return body


def _piped() -> bool:
    return not sys.stdout.isatty()


def _write(body: dict[str, Any]) -> None:
    sys.stdout.write(json_line(body) + "\n")
    sys.stdout.flush()


def _events(hook: Webhook) -> str:
    return literal(", ".join(hook.hook_events or [])) or "no events"


def _headers(hook: Webhook) -> str:
    return "none" if hook.headers is None else "set (not shown)"


def _moment(value: Any) -> str:
    return "" if value is None else value.strftime("%Y-%m-%d %H:%M")


def webhooks_table(hooks: list[Webhook], title: str) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("webhook", no_wrap=True)
    table.add_column("label")
    table.add_column("url", no_wrap=True)
    table.add_column("events")
    table.add_column("headers", no_wrap=True)
    for hook in hooks:
        table.add_row(
            literal(str(hook.hook_id)), literal(hook.label or ""), literal(hook.url), _events(hook), _headers(hook)
        )
    return table


def webhook_table(hook: Webhook) -> Table:
    table = Table(title=f"webhook {literal(str(hook.hook_id))}", title_justify="left", show_header=False)
    table.add_column("field", no_wrap=True, style="bold")
    table.add_column("value")
    for label, value in (
        ("project", literal(hook.project_id)),
        ("label", literal(hook.label or "")),
        ("url", literal(hook.url)),
        ("events", _events(hook)),
        ("headers", _headers(hook)),
        ("created", _moment(hook.created_at)),
        ("updated", _moment(hook.updated_at)),
    ):
        table.add_row(label, value)
    return table
