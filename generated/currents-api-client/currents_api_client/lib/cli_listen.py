# Hand-written, not generated: `make generate` never touches currents_api_client/lib/ (see lib/__init__.py).
"""`currents-api webhooks listen`: a local receiver for development, printing each verified delivery as a line.

It serves `receiver` (the package's ASGI app) with uvicorn on 127.0.0.1 only, at `--port` (0 picks a free
one), and says where on standard error: `listening on http://127.0.0.1:PORT/ ...`. Each delivery that
`webhooks.unwrap` accepts is one line on standard output: JSON Lines (the event as Currents sent it) when
piped, a readable line on a terminal, server text printed literally (`text.json_line`, `text.literal`). A
refused delivery is one `refused (STATUS): reason` line on standard error; the receiver answered it 401 or 400.

The secret is read from the environment variable `CURRENTS_WEBHOOK_SECRET` (so that it stays out of shell
history and `ps`), or from `--secret`; `--secret-header` names the header it comes in. Without a secret,
`--no-secret` must say so. The secret is never printed. Ctrl-C or SIGTERM stops it (exit 130 or 143).
Needs the `[webhooks]` extra (starlette and uvicorn) as well as `[cli]`.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
import threading
from typing import Any

from rich.console import Console

from ..errors import WebhookVerificationError
from .cli import EXIT_OK, UsageError, say
from .text import json_line, literal
from .webhooks import DEFAULT_TOLERANCE, WebhookEvent

SECRET_VARIABLE = "CURRENTS_WEBHOOK_SECRET"
HOST = "127.0.0.1"
DEFAULT_PORT = 8787
EXTRA = "pip install 'currents-api-client[cli,webhooks]'"


def add_parser(verbs: Any) -> None:
    listen = verbs.add_parser(
        "listen",
        help=f"receive deliveries on 127.0.0.1 and print each verified event (secret from ${SECRET_VARIABLE})",
    )
    listen.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port on 127.0.0.1 (default {DEFAULT_PORT})")
    listen.add_argument("--secret-header", metavar="NAME", help="the header that carries the secret")
    listen.add_argument("--secret", help=f"the secret (prefer ${SECRET_VARIABLE}: a flag shows in ps and history)")
    listen.add_argument("--no-secret", action="store_true", help="accept deliveries without checking a secret")
    listen.add_argument(
        "--tolerance",
        type=float,
        default=DEFAULT_TOLERANCE,
        metavar="SECONDS",
        help=f"how far x-timestamp may be from now (default {DEFAULT_TOLERANCE})",
    )


def _secret(args: argparse.Namespace) -> tuple[str | None, str | None]:
    secret = args.secret if args.secret is not None else os.environ.get(SECRET_VARIABLE) or None
    if args.no_secret:
        if secret is not None or args.secret_header:
            raise UsageError(f"--no-secret with a secret (--secret, --secret-header or ${SECRET_VARIABLE})")
        return None, None
    if secret is None:
        raise UsageError(f"no secret: set ${SECRET_VARIABLE} (or --secret), or pass --no-secret to check none")
    if not args.secret_header:
        raise UsageError("--secret-header is required with a secret: the header the secret comes in")
    return secret, args.secret_header


def readable(event: WebhookEvent) -> str:
    """One line for a terminal: the event, the run, the build and the counts, server text made literal."""
    group = f" group {literal(event.group_id)}" if event.group_id else ""
    counts = f"{event.passes} passed, {event.failures} failed, {event.flaky} flaky, {event.skipped} skipped"
    return f"{event.event} {literal(event.run_url)} build {literal(event.build_id)}{group}: {counts}"


def listen(args: argparse.Namespace, out: Console) -> int:
    secret, secret_header = _secret(args)
    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port must be from 0 to 65535, not {args.port}")
    try:
        import uvicorn

        from .receiver import receiver
    except ImportError as missing:
        raise UsageError(f"webhooks listen needs the webhooks extra ({missing.name} is missing): {EXTRA}") from None
    lock = threading.Lock()
    piped = not sys.stdout.isatty()

    def on_event(event: WebhookEvent) -> None:
        with lock:
            if piped:
                sys.stdout.write(json_line(event.to_dict()) + "\n")
                sys.stdout.flush()
            else:
                out.print(readable(event), soft_wrap=True)

    def on_refused(error: WebhookVerificationError) -> None:
        say(f"refused ({error.status_code}): {error}")

    app = receiver(
        on_event, secret=secret, secret_header=secret_header, tolerance=args.tolerance, on_refused=on_refused
    )
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((HOST, args.port))
        sock.listen(128)
    except OSError as error:
        sock.close()
        raise UsageError(f"cannot listen on {HOST}:{args.port}: {error.strerror or error}") from None
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, host=HOST, port=port, log_level="warning", access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    checked = f"checking {secret_header}" if secret_header else "checking no secret"
    say(f"listening on http://{HOST}:{port}/ ({checked}; Ctrl-C to stop)")
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
    return EXIT_OK
