# Hand-written, not generated: `make generate` never touches currents_api_client/lib/ (see lib/__init__.py).
"""The arguments of `currents-api` and its `--help` text: the commands, their flags and defaults, the settings
it reads from the environment, and what `run` does with export targets, server text and artifacts."""

from __future__ import annotations

import argparse
from pathlib import Path

from .. import __version__
from ..client import DEFAULT_BASE_URL
from . import cli_actions, cli_history, cli_sync, cli_webhooks
from .artifacts import DEFAULT_CONCURRENCY, DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT_SECONDS
from .export import FORMATS

DEFAULT_RUNS_LIMIT = 50
RUN_STATUSES = ("PASSED", "FAILED", "RUNNING", "FAILING")  # the spec's known values for `status`
COMPLETION_STATES = ("COMPLETE", "IN_PROGRESS", "CANCELED", "TIMEOUT")

TOP_EPILOG = f"""environment:
  CURRENTS_API_KEY  the API key (required; Currents: Organization Settings > API Keys). Never a flag, so it
                    stays out of `ps` and shell history.
  CURRENTS_API_URL  the API's base URL; default {DEFAULT_BASE_URL}, the production API. Point it at
                    http://127.0.0.1:4010/v1 for the kit's mock (`make mock`). A plain http:// URL to another
                    host sends the key unencrypted: the client warns (a `warning:` line on stderr).

Start with `currents-api projects` for your project ids, then `currents-api runs PROJECT_ID`."""

RUN_EPILOG = f"""export targets:
  FILE          written to a temporary file beside it, renamed over FILE once complete: Ctrl-C, SIGTERM or a
                full disk leave the old FILE and no temporary file.
  -             standard output (JSON Lines unless --format says otherwise); messages go to stderr.
  FIFO, device  (e.g. /dev/stdout) opened and written in place, never replaced.
  symlink       followed; the file it points to is replaced atomically, the link stays.

server text in exports: a lone surrogate becomes U+FFFD in every format; JSON Lines escapes every control
character; a CSV cell loses its control characters (but tab and line breaks) and gets a leading ' when it
would start with =, +, -, @, tab or carriage return, so no spreadsheet runs it as a formula (OWASP's rule);
JUnit drops what XML cannot carry. JUnit suites and cases are sorted, the root carries the totals, failed
tests say their attempts, and with --artifacts each test links its files as [[ATTACHMENT|path]].

artifacts: each download is bounded by --artifact-timeout (default {DEFAULT_TIMEOUT_SECONDS:g} s, request to
last byte) and --artifact-max-bytes (default {DEFAULT_MAX_BYTES} = 1 GiB); a download cut by either, a
malformed URL or a refused one is reported missing (exit 1), and the others are still downloaded."""


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="currents-api",
        description="Read test results from the Currents API: projects, runs, instances; export a run; manage a "
        "project's Actions and webhooks; sync projects into a history store.",
        epilog=TOP_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    top.add_argument("--version", action="version", version=f"currents-api {__version__}")
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    projects = commands.add_parser("projects", help="the projects the API key can read, with their ids")
    projects.add_argument("--limit", type=int, default=0, help="at most N projects (default 0: all)")

    instance = commands.add_parser("instance", help="the tests of one instance (one spec file's execution)")
    instance.add_argument("instance_id", metavar="INSTANCE_ID")
    instance.add_argument("--failed-only", action="store_true", help="keep failed and flaky tests only")

    runs = commands.add_parser("runs", help="a project's runs, newest first, across pages")
    runs.add_argument("project_id", metavar="PROJECT_ID")
    runs.add_argument("--branch", action="append", dest="branches", metavar="BRANCH", help="repeatable")
    runs.add_argument("--tag", action="append", dest="tags", metavar="TAG", help="repeatable")
    runs.add_argument("--tag-operator", choices=("AND", "OR"), help="how several --tag combine")
    runs.add_argument("--author", action="append", dest="authors", metavar="AUTHOR", help="repeatable")
    runs.add_argument("--search", help="text in the run (at most 200 characters)")
    runs.add_argument("--pr-id", help="pull request id")
    runs.add_argument("--status", action="append", metavar="STATUS", help=f"{', '.join(RUN_STATUSES)}; repeatable")
    runs.add_argument(
        "--completion-state", action="append", metavar="STATE", help=f"{', '.join(COMPLETION_STATES)}; repeatable"
    )
    runs.add_argument("--date-start", metavar="ISO_DATE", help="runs created at or after this date-time")
    runs.add_argument("--date-end", metavar="ISO_DATE", help="runs created before this date-time")
    runs.add_argument(
        "--limit", type=int, default=DEFAULT_RUNS_LIMIT, help=f"at most N runs (default {DEFAULT_RUNS_LIMIT}; 0: all)"
    )

    run = commands.add_parser(
        "run",
        help="every test of a run; export it, with its artifacts",
        epilog=RUN_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run.add_argument("run_id", metavar="RUN_ID")
    run.add_argument("--failed-only", action="store_true", help="keep failed and flaky tests only")
    run.add_argument("--export", metavar="FILE", help="write the tests to FILE (- for standard output)")
    run.add_argument("--format", choices=FORMATS, help="the export format (default: from the FILE suffix)")
    run.add_argument("--artifacts", type=Path, metavar="DIR", help="download the tests' artifacts below DIR")
    run.add_argument(
        "--concurrency",
        type=int,
        default=DEFAULT_CONCURRENCY,
        help=f"instances or artifacts fetched at a time (default {DEFAULT_CONCURRENCY})",
    )
    run.add_argument(
        "--artifact-timeout",
        type=float,
        default=DEFAULT_TIMEOUT_SECONDS,
        metavar="SECONDS",
        help=f"deadline of each artifact download (default {DEFAULT_TIMEOUT_SECONDS:g})",
    )
    run.add_argument(
        "--artifact-max-bytes",
        type=int,
        default=DEFAULT_MAX_BYTES,
        metavar="BYTES",
        help=f"size cap of each artifact (default {DEFAULT_MAX_BYTES}, 1 GiB)",
    )
    cli_actions.add_parser(commands)
    cli_webhooks.add_parser(commands)
    cli_sync.add_parser(commands)
    cli_history.add_parser(commands)
    return top
