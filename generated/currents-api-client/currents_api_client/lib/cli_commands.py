# Hand-written, not generated: `make generate` never touches currents_api_client/lib/ (see lib/__init__.py).
"""The commands of `currents-api` (see `cli` for the usage, the output rules and the exit status).

Imports rich at the top: `cli` imports this module only once it knows the `cli` extra is installed.
Tables and progress bars are rich's (`cli_tables`); standard output is a terminal or a pipe as
`sys.stdout.isatty()` says, and progress is shown only when standard error is a terminal. Every server string
printed goes through `text.literal` (rich) or `text.visible` (plain lines).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from ..api.instances import get_instance
from ..api.projects import list_projects
from ..api.runs import list_project_runs
from ..client import AuthenticatedClient
from . import cli_actions, cli_history, cli_sync, cli_webhooks
from .artifacts import DownloadReport, Limits, adownload_artifacts
from .cli import EXIT_FAILED, EXIT_OK, UsageError, run_async, say
from .cli_parser import COMPLETION_STATES, RUN_STATUSES, parser
from .cli_parser import DEFAULT_RUNS_LIMIT as DEFAULT_RUNS_LIMIT  # its home before cli_parser
from .cli_tables import STATE_STYLES as STATE_STYLES  # its home before cli_tables
from .cli_tables import counts, in_order, projects_table, records_table, runs_table, summary
from .export import ExportFormatError, RecordWriter, format_for, record_json
from .files import STDOUT, check_export_target, probe_folder
from .records import TestRecord, iter_tests
from .runs import InstanceResult, RunProgress, astream_run
from .text import json_line, literal

PAGE_SIZE = 50  # the API's largest page of runs and projects


def dispatch(argv: list[str]) -> int:
    args = parser().parse_args(argv)
    out = Console(soft_wrap=False, highlight=False)
    err = Console(stderr=True, soft_wrap=True, highlight=False)
    if args.command == "projects":
        return command_projects(args, out)
    if args.command == "instance":
        return command_instance(args, out)
    if args.command == "runs":
        return command_runs(args, out)
    if args.command == "actions":
        return cli_actions.command_actions(args, out, _client)
    if args.command == "webhooks":
        return cli_webhooks.command_webhooks(args, out, _client)
    if args.command == "sync":
        return cli_sync.command_sync(args, out, err, _client)
    if args.command == "flaky":
        return cli_history.command_flaky(args, out, _client)
    if args.command == "dataset":
        return cli_history.command_dataset(args)
    return command_run(args, out, err)


def _client() -> AuthenticatedClient:
    try:
        return AuthenticatedClient.from_env()
    except (ValueError, TypeError) as error:  # the client's one-line reason; it never quotes the key
        if str(error).startswith("token: "):
            raise UsageError(f"CURRENTS_API_KEY: {str(error).removeprefix('token: ')}") from None
        raise UsageError(str(error)) from None


def _keep(records: Iterable[TestRecord], failed_only: bool) -> list[TestRecord]:
    return [r for r in records if not failed_only or r.state in ("failed", "flaky")]


def _piped() -> bool:
    return not sys.stdout.isatty()


def _write_jsonl(lines: Iterable[str]) -> None:
    for line in lines:
        sys.stdout.write(line + "\n")
    sys.stdout.flush()


def _limit(value: int, flag: str = "--limit") -> int | None:
    if value < 0:
        raise UsageError(f"{flag} must be 0 (all) or more, not {value}")
    return None if value == 0 else value


# --- projects -------------------------------------------------------------------------------------------------------


def command_projects(args: argparse.Namespace, out: Console) -> int:
    max_items = _limit(args.limit)
    page = PAGE_SIZE if max_items is None else max(1, min(PAGE_SIZE, max_items))
    with _client() as client:
        items = list_projects.iterate(client=client, limit=page, max_items=max_items)
        if _piped():
            for item in items:
                _write_jsonl([json_line(item.to_dict())])
        else:
            out.print(projects_table(list(items)))
    return EXIT_OK


# --- instance -------------------------------------------------------------------------------------------------------


def command_instance(args: argparse.Namespace, out: Console) -> int:
    with _client() as client:
        instance = get_instance.sync(args.instance_id, client=client).data
    records = _keep(iter_tests(instance), args.failed_only)
    if _piped():
        _write_jsonl(record_json(r) for r in records)
    else:
        title = f"instance {literal(instance.instance_id)}: {literal(instance.spec)} ({counts(records)})"
        out.print(records_table(records, title, with_spec=False))
    return EXIT_OK


# --- runs -----------------------------------------------------------------------------------------------------------


def _known(values: list[str] | None, known: tuple[str, ...], flag: str) -> list[str] | None:
    """`values` upper-cased, or a usage error naming the first one the API does not know."""
    if values is None:
        return None
    for value in values:
        if value.upper() not in known:
            raise UsageError(f"{flag} {value!r} is not one of {', '.join(known)}")
    return [value.upper() for value in values]


def command_runs(args: argparse.Namespace, out: Console) -> int:
    max_items = _limit(args.limit)
    if args.search is not None and len(args.search) > 200:
        raise UsageError("--search takes at most 200 characters")
    status = _known(args.status, RUN_STATUSES, "--status")
    completion = _known(args.completion_state, COMPLETION_STATES, "--completion-state")
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
            status=status,
            completion_state=completion,
            date_start=args.date_start,
            date_end=args.date_end,
            max_items=max_items,
        )
        if _piped():
            for item in items:
                _write_jsonl([json_line(item.to_dict())])
        else:
            out.print(runs_table(list(items), f"runs of project {literal(args.project_id)}"))
    return EXIT_OK


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


def _check_outputs(args: argparse.Namespace) -> str | None:
    """The export format, after checking that the export and artifacts paths can be written: before any
    request, and naming the paths as the user gave them."""
    if args.concurrency < 1:
        raise UsageError(f"--concurrency must be at least 1, not {args.concurrency}")
    if not args.artifact_timeout > 0:
        raise UsageError(f"--artifact-timeout must be more than 0 seconds, not {args.artifact_timeout}")
    if args.artifact_max_bytes < 1:
        raise UsageError(f"--artifact-max-bytes must be at least 1, not {args.artifact_max_bytes}")
    fmt = None
    if args.export is not None:
        try:
            fmt = format_for(args.export, args.format)
        except ExportFormatError as error:
            raise UsageError(str(error)) from None
        why = check_export_target(args.export)
        if why is not None:
            raise UsageError(f"--export {args.export}: {why}")
    elif args.format is not None:
        raise UsageError("--format needs --export FILE")
    if args.artifacts is not None:
        if args.artifacts.exists() and not args.artifacts.is_dir():
            raise UsageError(f"--artifacts {args.artifacts}: exists and is not a directory")
        try:
            args.artifacts.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise UsageError(f"--artifacts {args.artifacts}: cannot create it ({error.strerror})") from None
        why = probe_folder(args.artifacts)
        if why is not None:
            raise UsageError(f"--artifacts {args.artifacts}: {why}")
    return fmt


async def _export_run(args: argparse.Namespace, fmt: str | None, out: Console, err: Console) -> int:
    failures: list[str] = []
    unclaimed: list[str] = []
    kept: list[TestRecord] = []  # only when a table or the artifacts need them: an export streams
    counted: Counter[str] = Counter()
    piped = _piped()
    to_stdout = args.export == STDOUT
    keep = args.artifacts is not None or (args.export is None and not piped)
    client = _client()
    writer = None
    if args.export is not None:
        writer = RecordWriter(args.export, format_for(args.export, fmt), artifacts=args.artifacts)
    try:
        with _progress(err, f"run {literal(args.run_id)}: instances") as update:

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

    messages = err if to_stdout else out
    if not piped or to_stdout:
        if writer is None:
            out.print(records_table(in_order(kept), f"run {literal(args.run_id)} ({summary(counted)})"))
        else:
            where = "standard output" if to_stdout else literal(str(args.export))
            messages.print(f"run {literal(args.run_id)}: wrote {writer.count} tests ({summary(counted)}) to {where}")
    if unclaimed:
        specs = ", ".join(unclaimed)
        say(f"note: {len(unclaimed)} spec(s) not claimed yet, so without results: {specs}")

    if args.artifacts is not None:
        report = await _download(args, kept, err)
        failures.extend(f"artifact {m.path}: {m.reason}" for m in report.missing)
        if not piped or to_stdout:
            messages.print(
                f"artifacts: {report.downloaded} downloaded ({report.bytes} bytes), {report.skipped} already present, "
                f"{len(report.missing)} missing, in {literal(str(args.artifacts))}"
            )
    for failure in failures:
        say(f"error: {failure}")
    return EXIT_FAILED if failures else EXIT_OK


def _take(result: InstanceResult, failed_only: bool, failures: list[str], unclaimed: list[str]) -> list[TestRecord]:
    if result.status == "unclaimed":
        unclaimed.append(result.instance_id)
    elif result.status == "failed":
        failures.append(f"instance {result.instance_id} ({result.spec.spec}): {result.error}")
    return _keep(result.records, failed_only)


async def _download(args: argparse.Namespace, records: list[TestRecord], err: Console) -> DownloadReport:
    async def refresh(instance_id: str) -> list[TestRecord]:
        async with _client() as fresh:
            instance = (await get_instance.asyncio(instance_id, client=fresh)).data
        return _keep(iter_tests(instance), args.failed_only)

    limits = Limits(timeout_seconds=args.artifact_timeout, max_bytes=args.artifact_max_bytes)
    with _progress(err, "artifacts") as update:
        return await adownload_artifacts(
            records, args.artifacts, refresh=refresh, concurrency=args.concurrency, on_progress=update, limits=limits
        )


def command_run(args: argparse.Namespace, out: Console, err: Console) -> int:
    _client()  # the key and the URL are checked before anything is created
    fmt = _check_outputs(args)
    return run_async(_export_run(args, fmt, out, err))
