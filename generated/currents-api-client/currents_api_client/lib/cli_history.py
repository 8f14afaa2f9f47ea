# Hand-written, not generated: `make generate` never touches currents_api_client/lib/ (see lib/__init__.py).
"""`currents-api flaky` and `currents-api dataset`: read the history store (`history.metrics`), write its Parquet
dataset (`history.dataset`), quarantine its flaky tests (`history.quarantine`).

The store is opened read-only: neither command writes to it. `flaky` without `--quarantine`, and `dataset`, send
no request at all; `flaky --quarantine` reads the project's Actions and writes (create, disable) only with
`--apply`, one line per action either way. Needs the `history` extra (duckdb): without it, one line, exit 2.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from ..client import AuthenticatedClient
from .cli import EXIT_OK, UsageError
from .cli_store import DEFAULT_DB as DEFAULT_DB  # still importable from here, as before cli_store
from .cli_store import add_store_option, require_history_extra
from .text import csv_cell, json_line, literal, visible

FORMATS = ("table", "json", "csv", "html")
DEFAULT_THRESHOLD = 0.1
DEFAULT_EXPIRES = "14d"
CSV_COLUMNS = (
    "project_id",
    "spec",
    "title",
    "executions",
    "passed",
    "failed",
    "flaky",
    "flake_rate",
    "failure_rate",
    "same_commit_flips",
    "flip_rate",
    "first_seen",
    "last_seen",
    "currents_flakiness_rate",
    "currents_executions",
)

FLAKY_EPILOG = """metrics (one row per test: project, spec, title path; docs: "find and quarantine your flaky tests"):
  executions         passed + failed + flaky (skipped and pending tests did not run)
  flake_rate         flaky / executions: failed a first attempt, passed in the end (Currents' definition)
  failure_rate       failed / executions
  same_commit_flips  commits on which the test both passed and failed (Google, Trunk, BuildPulse, Buildkite)
  flip_rate          pass/fail changes between consecutive executions / (executions - 1) (Apple, ICSE-SEIP 2020)
  Currents' own flakinessRate from the Tests Explorer is shown beside them when the sync stored it.

--quarantine creates one quarantine Action per test whose flake_rate is at least --threshold, matching exactly
that test (file, title, title path), named "Flaky quarantine: <spec> > <title>", expiring after --expires. Without
--apply it prints the plan and writes nothing; with --apply it creates what is missing and disables (releases) the
actions of tests no longer above the threshold. Run again, it creates nothing."""


def _moment(text: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO 8601 date or date-time") from None
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment


def _rate(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a rate between 0 and 1")
    return value


def _count(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return int(text)


def _duration(text: str) -> dt.timedelta:
    from .history.quarantine import parse_duration  # no duckdb needed; the history package has none at import

    try:
        return parse_duration(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def add_parser(commands: Any) -> None:
    """`flaky` and `dataset` on the top-level subparsers `commands`."""
    flaky = commands.add_parser(
        "flaky",
        help="flakiness metrics per test from the history store; quarantine the flaky ones",
        epilog=FLAKY_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    flaky.add_argument("project_id", nargs="?", metavar="PROJECT_ID", help="one project (default: every project)")
    add_store_option(flaky)
    flaky.add_argument("--since", type=_moment, metavar="ISO_DATE", help="runs created at or after it (UTC if naive)")
    flaky.add_argument("--branch", help="runs of this branch only")
    flaky.add_argument("--min-executions", type=_count, default=1, metavar="N", help="tests with N executions or more")
    flaky.add_argument("--format", choices=FORMATS, help="table on a terminal, json piped (default)")
    flaky.add_argument("--quarantine", action="store_true", help="plan (or --apply) quarantine Actions")
    flaky.add_argument(
        "--threshold", type=_rate, default=DEFAULT_THRESHOLD, metavar="R", help="flake rate to quarantine at"
    )
    flaky.add_argument("--expires", type=_duration, default=DEFAULT_EXPIRES, metavar="DURATION", help="e.g. 14d, 36h")
    flaky.add_argument("--apply", action="store_true", help="with --quarantine: create and release the actions")

    dataset = commands.add_parser("dataset", help="write the history store as hive-partitioned Parquet below DIR")
    dataset.add_argument("directory", type=Path, metavar="DIR")
    add_store_option(dataset)


def _history(command: str) -> Any:
    require_history_extra(command)
    from .history import metrics

    return metrics


def command_flaky(args: argparse.Namespace, out: Console, client: Callable[[], AuthenticatedClient]) -> int:
    metrics = _history("flaky")
    if args.apply and not args.quarantine:
        raise UsageError("--apply goes with --quarantine")
    filters = metrics.Filters(args.project_id, args.since, args.branch, args.min_executions)
    try:
        connection = metrics.open_store(args.db)
    except metrics.StoreError as error:
        raise UsageError(str(error)) from None
    with connection:
        tests = metrics.flaky_metrics(connection, filters)
        trend = metrics.trends(connection, filters, tests[:10]) if args.format == "html" else {}
    if args.quarantine:
        from . import cli_quarantine

        return cli_quarantine.run(args, tests, client)
    shown = args.format or ("table" if sys.stdout.isatty() else "json")
    if shown == "table":
        out.print(flaky_table(tests))
    elif shown == "json":
        for test in tests:
            sys.stdout.write(json_line(test.to_dict()) + "\n")
    elif shown == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for test in tests:
            body = test.to_dict()
            writer.writerow([_csv(body[name]) for name in CSV_COLUMNS])
    else:
        from .history.report_html import render

        sys.stdout.write(render(tests, trend))
    sys.stdout.flush()
    return EXIT_OK


def _csv(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return csv_cell(" > ".join(value))
    return csv_cell(str(value))


def _rate_cell(value: float | None) -> str:
    return "" if value is None else f"{value:.1%}"


def flaky_table(tests: list[Any]) -> Table:
    table = Table(title=f"flaky tests ({len(tests)})", title_justify="left")
    table.add_column("project", no_wrap=True)
    table.add_column("spec > test", ratio=1)
    for name in ("runs", "passed", "failed", "flaky", "flake", "failure", "sha flips", "flip", "Currents"):
        table.add_column(name, justify="right", no_wrap=True)
    for t in tests:
        table.add_row(
            literal(t.project_id),
            literal(f"{t.spec} > {t.full_title}"),
            str(t.executions),
            str(t.passed),
            str(t.failed),
            str(t.flaky),
            _rate_cell(t.flake_rate),
            _rate_cell(t.failure_rate),
            str(t.same_commit_flips),
            _rate_cell(t.flip_rate),
            _rate_cell(t.currents_flakiness_rate),
        )
    return table


def command_dataset(args: argparse.Namespace) -> int:
    metrics = _history("dataset")
    from .history.dataset import write_dataset

    try:
        connection = metrics.open_store(args.db)
    except metrics.StoreError as error:
        raise UsageError(str(error)) from None
    if args.directory.exists() and not args.directory.is_dir():
        raise UsageError(f"{args.directory}: not a folder")
    with connection:
        written = write_dataset(connection, args.directory)
    for table in written:
        print(visible(f"{table.table}: {table.rows} rows in {table.partitions} partitions below {args.directory}"))
    return EXIT_OK
