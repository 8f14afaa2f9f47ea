# Hand-written, not generated: edit generator/lib/cli_commands.py; `make generate` copies it into the package unchanged.
"""The commands of `currents-api` (see `cli` for the usage, the output rules and the exit status).

Imports rich at the top: `cli` imports this module only once it knows the `cli` extra is installed.
Tables and progress bars are rich's; standard output is a terminal or a pipe as `sys.stdout.isatty()`
says, and progress is shown only when standard error is a terminal.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from ..api.instances import get_instance
from ..api.runs import list_project_runs
from ..client import AuthenticatedClient
from ..models.run_list_item import RunListItem
from .artifacts import DEFAULT_CONCURRENCY, DownloadReport, adownload_artifacts
from .cli import EXIT_FAILED, EXIT_OK, UsageError
from .export import FORMATS, ExportFormatError, RecordWriter, format_for, record_json
from .records import STATES, TestRecord, iter_tests
from .runs import InstanceResult, RunProgress, astream_run

PAGE_SIZE = 50  # the API's largest page of runs
DEFAULT_RUNS_LIMIT = 50
STATE_STYLES = {"passed": "green", "failed": "bold red", "flaky": "yellow", "skipped": "dim", "pending": "dim"}


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="currents-api",
        description="Read test results from the Currents API. The API key comes from CURRENTS_API_KEY.",
    )
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

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
    runs.add_argument("--status", action="append", metavar="STATUS", help="RUNNING, PASSED, FAILED, ...; repeatable")
    runs.add_argument(
        "--completion-state", action="append", metavar="STATE", help="COMPLETE, IN_PROGRESS, ...; repeatable"
    )
    runs.add_argument("--date-start", metavar="ISO_DATE", help="runs created at or after this date-time")
    runs.add_argument("--date-end", metavar="ISO_DATE", help="runs created before this date-time")
    runs.add_argument(
        "--limit", type=int, default=DEFAULT_RUNS_LIMIT, help=f"at most N runs (default {DEFAULT_RUNS_LIMIT}; 0: all)"
    )

    run = commands.add_parser("run", help="every test of a run; export it, with its artifacts")
    run.add_argument("run_id", metavar="RUN_ID")
    run.add_argument("--failed-only", action="store_true", help="keep failed and flaky tests only")
    run.add_argument("--export", type=Path, metavar="FILE", help="write the tests to FILE")
    run.add_argument("--format", choices=FORMATS, help="the export format (default: from the FILE suffix)")
    run.add_argument("--artifacts", type=Path, metavar="DIR", help="download the tests' artifacts below DIR")
    run.add_argument(
        "--concurrency",
        type=int,
        default=DEFAULT_CONCURRENCY,
        help=f"instances fetched at a time (default {DEFAULT_CONCURRENCY})",
    )
    return top


def dispatch(argv: list[str]) -> int:
    args = parser().parse_args(argv)
    out = Console(soft_wrap=False)
    err = Console(stderr=True)
    if args.command == "instance":
        return command_instance(args, out)
    if args.command == "runs":
        return command_runs(args, out)
    return command_run(args, out, err)


def _client() -> AuthenticatedClient:
    return AuthenticatedClient.from_env()


def _keep(records: Iterable[TestRecord], failed_only: bool) -> list[TestRecord]:
    return [r for r in records if not failed_only or r.state in ("failed", "flaky")]


def _piped() -> bool:
    return not sys.stdout.isatty()


def _seconds(ms: int | None) -> str:
    return "" if ms is None else f"{ms / 1000:.2f} s"


def _first_line(text: str | None, width: int = 100) -> str:
    line = (text or "").strip().splitlines()[0] if (text or "").strip() else ""
    return line if len(line) <= width else line[: width - 1] + "…"


def records_table(records: list[TestRecord], title: str) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("state")
    table.add_column("test")
    table.add_column("spec", overflow="fold")
    table.add_column("duration", justify="right")
    table.add_column("tries", justify="right")
    table.add_column("error", overflow="fold")
    for record in records:
        table.add_row(
            f"[{STATE_STYLES[record.state]}]{record.state}[/]",
            record.full_title,
            record.spec,
            _seconds(record.duration_ms),
            str(record.attempts),
            _first_line(record.error_message),
        )
    return table


def _counts(records: Iterable[TestRecord]) -> str:
    return _summary(Counter(r.state for r in records))


def _summary(counted: Counter[str]) -> str:
    return ", ".join(f"{counted[state]} {state}" for state in STATES if counted[state]) or "no tests"


def _write_jsonl(lines: Iterable[str]) -> None:
    for line in lines:
        sys.stdout.write(line + "\n")
    sys.stdout.flush()


# --- instance -------------------------------------------------------------------------------------------------------


def command_instance(args: argparse.Namespace, out: Console) -> int:
    with _client() as client:
        instance = get_instance.sync(args.instance_id, client=client).data
    records = _keep(iter_tests(instance), args.failed_only)
    if _piped():
        _write_jsonl(record_json(r) for r in records)
    else:
        title = f"instance {instance.instance_id}: {instance.spec} ({_counts(records)})"
        out.print(records_table(records, title))
    return EXIT_OK


# --- runs -----------------------------------------------------------------------------------------------------------


def command_runs(args: argparse.Namespace, out: Console) -> int:
    if args.limit < 0:
        raise UsageError(f"--limit must be 0 (all) or more, not {args.limit}")
    if args.search is not None and len(args.search) > 200:
        raise UsageError("--search takes at most 200 characters")
    max_items = None if args.limit == 0 else args.limit
    page = PAGE_SIZE if max_items is None else max(1, min(PAGE_SIZE, max_items))
    with _client() as client:
        items = list_project_runs.iterate(
            args.project_id,
            client=client,
            limit=page,
            branches=args.branches,
            tags=args.tags,
            tag_operator=args.tag_operator,
            search=args.search,
            pr_id=args.pr_id,
            authors=args.authors,
            status=args.status,
            completion_state=args.completion_state,
            date_start=args.date_start,
            date_end=args.date_end,
            max_items=max_items,
        )
        if _piped():
            for item in items:
                _write_jsonl([json.dumps(item.to_dict(), ensure_ascii=False, separators=(",", ":"))])
        else:
            out.print(runs_table(list(items), f"runs of project {args.project_id}"))
    return EXIT_OK


def _branch(item: RunListItem) -> str:
    meta = item.meta
    commit = None if meta is None else meta.commit
    branch = None if commit is None else commit.branch
    return branch if isinstance(branch, str) else ""


def runs_table(items: list[RunListItem], title: str) -> Table:
    table = Table(title=f"{title} ({len(items)})", title_justify="left")
    for column in ("run", "created", "status", "completion", "branch", "tags"):
        table.add_column(column)
    for item in items:
        tags = "" if item.tags is None else ", ".join(item.tags)
        created = item.created_at.strftime("%Y-%m-%d %H:%M")
        table.add_row(item.run_id, created, item.status, item.completion_state, _branch(item), tags)
    return table


# --- run ------------------------------------------------------------------------------------------------------------


@contextmanager
def _progress(err: Console, label: str) -> Iterator[Callable[[int, int], None]]:
    """A progress bar on standard error when it is a terminal; yields `update(done, total)`."""
    if not err.is_terminal:
        yield lambda done, total: None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=False) as bar:
        task: TaskID = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def _check_paths(args: argparse.Namespace) -> str | None:
    """The export format, after checking that the export and artifacts paths can be used."""
    if args.concurrency < 1:
        raise UsageError(f"--concurrency must be at least 1, not {args.concurrency}")
    fmt = None
    if args.export is not None:
        try:
            fmt = format_for(args.export, args.format)
        except ExportFormatError as error:
            raise UsageError(str(error)) from None
        if args.export.is_dir():
            raise UsageError(f"--export {args.export}: is a directory")
        if not args.export.parent.is_dir():
            raise UsageError(f"--export {args.export}: the folder {args.export.parent} does not exist")
    elif args.format is not None:
        raise UsageError("--format needs --export FILE")
    if args.artifacts is not None and args.artifacts.exists() and not args.artifacts.is_dir():
        raise UsageError(f"--artifacts {args.artifacts}: exists and is not a directory")
    return fmt


async def _export_run(args: argparse.Namespace, fmt: str | None, out: Console, err: Console) -> int:
    failures: list[str] = []
    unclaimed: list[str] = []
    kept: list[TestRecord] = []  # only when a table or the artifacts need them: an export streams
    counted: Counter[str] = Counter()
    piped = _piped()
    keep = args.artifacts is not None or (args.export is None and not piped)
    client = _client()
    writer = RecordWriter(args.export, format_for(args.export, fmt)) if args.export is not None else None
    try:
        with _progress(err, f"run {args.run_id}: instances") as update:

            def on_progress(progress: RunProgress) -> None:
                update(progress.done, progress.total)

            stream = await astream_run(
                args.run_id, client=client, concurrency=args.concurrency, on_progress=on_progress
            )
            async with stream:
                async for result in stream:
                    records = _take(result, args.failed_only, failures, unclaimed)
                    counted.update(r.state for r in records)
                    if keep:
                        kept.extend(records)
                    if writer is not None:
                        writer.add_all(records)
                    elif piped:
                        _write_jsonl(record_json(r) for r in records)
        if writer is not None:
            writer.commit()
    finally:
        if writer is not None:
            writer.abort()  # a no-op once committed

    if not piped:
        if writer is None:
            out.print(records_table(kept, f"run {args.run_id} ({_summary(counted)})"))
        else:
            out.print(f"run {args.run_id}: wrote {writer.count} tests ({_summary(counted)}) to {args.export}")
    if unclaimed:
        err.print(f"note: {len(unclaimed)} spec(s) not claimed yet, so without results: {', '.join(unclaimed)}")

    if args.artifacts is not None:
        report = await _download(args, kept, client, err)
        failures.extend(f"artifact {m.path}: {m.reason}" for m in report.missing)
        if not piped:
            out.print(
                f"artifacts: {report.downloaded} downloaded ({report.bytes} bytes), {report.skipped} already present, "
                f"{len(report.missing)} missing, in {args.artifacts}"
            )
    for failure in failures:
        print(f"error: {failure}", file=sys.stderr)
    return EXIT_FAILED if failures else EXIT_OK


def _take(result: InstanceResult, failed_only: bool, failures: list[str], unclaimed: list[str]) -> list[TestRecord]:
    if result.status == "unclaimed":
        unclaimed.append(result.instance_id)
    elif result.status == "failed":
        failures.append(f"instance {result.instance_id} ({result.spec.spec}): {result.error}")
    return _keep(result.records, failed_only)


async def _download(
    args: argparse.Namespace, records: list[TestRecord], client: AuthenticatedClient, err: Console
) -> DownloadReport:
    async def refresh(instance_id: str) -> list[TestRecord]:
        async with AuthenticatedClient.from_env() as fresh:
            instance = (await get_instance.asyncio(instance_id, client=fresh)).data
        return _keep(iter_tests(instance), args.failed_only)

    args.artifacts.mkdir(parents=True, exist_ok=True)
    with _progress(err, "artifacts") as update:
        return await adownload_artifacts(
            records, args.artifacts, refresh=refresh, concurrency=args.concurrency, on_progress=update
        )


def command_run(args: argparse.Namespace, out: Console, err: Console) -> int:
    fmt = _check_paths(args)
    return asyncio.run(_export_run(args, fmt, out, err))
