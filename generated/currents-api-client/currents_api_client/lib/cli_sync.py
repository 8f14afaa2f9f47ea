# Hand-written, not generated: `make generate` never touches currents_api_client/lib/ (see lib/__init__.py).
"""`currents-api sync [PROJECT_ID ...] [--db PATH] [--since DATE]`: the projects' runs, instances and tests into the
history store (`history.sync` says what is read and when; `history.store` what the file holds).

Order of the checks, so that a sync that cannot run leaves the store as it was: the arguments and the `--db`
path (a folder, a file that is not DuckDB, a folder that cannot be written: exit 2), then an existing store
(DuckDB's lock held by another process, say another sync: exit 1; a store of a newer kit or one too old to
migrate: exit 2), then the key and the projects (a wrong key, an unknown project: exit 1), and only then is a
new store file created. Each problem is one line on standard error.

On a terminal, standard error shows a progress bar (instances read of those planned); piped, nothing. Standard
output gets one summary line: runs, instances and tests added, and the time. A run that could not be read is
one `error:` line (exit 1; the other runs are kept); a Tests Explorer the API refuses is one `note:` line.
Needs the `history` extra (duckdb): `pip install 'currents-api-client[cli,history]'`.
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from ..client import AuthenticatedClient
from .cli import EXIT_FAILED, EXIT_OK, UsageError, run_async, say
from .cli_store import DEFAULT_DB, add_store_option, require_history_extra
from .cli_store import HISTORY_EXTRA as HISTORY_EXTRA  # still importable from here, as before cli_store
from .runs import DEFAULT_CONCURRENCY
from .text import literal

SYNC_EPILOG = f"""the store (--db, default {DEFAULT_DB}) is one DuckDB file with the tables runs, instances, tests
(one row per test per instance), explorer_tests (the Tests Explorer's own numbers) and sync_state.

incremental: a second sync pages runs only down to the newest run it holds, reads again the runs it holds as in
progress, and never reads an instance of a finished run twice. Each run is written in one transaction: a sync
killed at any point and run again ends with the rows of an uninterrupted one. Only GET requests are sent."""


def add_parser(commands: Any) -> None:
    """`sync` on the top-level subparsers `commands`."""
    sync = commands.add_parser(
        "sync",
        help="sync projects' runs, instances and tests into a DuckDB history store",
        epilog=SYNC_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sync.add_argument("project_ids", nargs="*", metavar="PROJECT_ID", help="default: every project the key reads")
    add_store_option(sync)
    sync.add_argument("--since", metavar="DATE", help="only runs created at or after DATE (ISO 8601; UTC if no zone)")
    sync.add_argument(
        "--concurrency",
        type=int,
        default=DEFAULT_CONCURRENCY,
        help=f"instances fetched at a time (default {DEFAULT_CONCURRENCY}; halved on each 429)",
    )


def parse_since(text: str | None) -> dt.datetime | None:
    """`--since` as an aware datetime (a date is its midnight, a time without a zone is UTC)."""
    if text is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"--since {text!r} is not a date (YYYY-MM-DD or an ISO 8601 date-time)") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


class _Shown:
    """Instances read and planned over every project so far: each project's progress counts from 0."""

    def __init__(self) -> None:
        self.project = ""
        self.before = (0, 0)
        self.last = (0, 0)

    def add(self, project: str, done: int, total: int) -> tuple[int, int]:
        if project != self.project:
            self.before = (self.before[0] + self.last[0], self.before[1] + self.last[1])
            self.project = project
        self.last = (done, total)
        return self.before[0] + done, self.before[1] + total


@contextmanager
def _progress(err: Console) -> Iterator[Callable[[Any], None]]:
    if not err.is_terminal:
        yield lambda progress: None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=False) as bar:
        task: TaskID = bar.add_task("sync: instances", total=None)
        shown = _Shown()

        def update(progress: Any) -> None:
            done, total = shown.add(progress.project_id, progress.instances_done, progress.instances_total)
            label = f"sync {literal(progress.project_id)}: runs {progress.runs_done}/{progress.runs_total}, instances"
            bar.update(task, description=label, completed=done, total=total)

        yield update


def command_sync(
    args: argparse.Namespace, out: Console, err: Console, client_factory: Callable[[], AuthenticatedClient]
) -> int:
    since = parse_since(args.since)
    if args.concurrency < 1:
        raise UsageError(f"--concurrency must be at least 1, not {args.concurrency}")
    require_history_extra("sync")
    from .history import store

    path: Path = args.db
    why = store.check_path(path)
    if why is not None:
        raise UsageError(f"--db {path}: {why}")
    client = client_factory()  # the key and the URL are checked before the store is opened
    return run_async(_sync(args, path, since, client, out, err))


async def _sync(
    args: argparse.Namespace,
    path: Path,
    since: dt.datetime | None,
    client: AuthenticatedClient,
    out: Console,
    err: Console,
) -> int:
    import duckdb

    from .history import store, sync

    connection = None
    try:
        if path.exists():
            connection = _open(path)
        async with client:
            projects = await sync.resolve_projects(client, args.project_ids)
            if connection is None:
                connection = _open(path)
            with _progress(err) as update:
                summary = await sync.sync_projects(
                    connection, client, projects, since=since, concurrency=args.concurrency, on_progress=update
                )
    except store.StoreLocked as locked:
        say(f"error: --db {locked}")
        return EXIT_FAILED
    except duckdb.Error as error:  # a write the store refused: a full disk, a file gone read-only
        say(f"error: --db {path}: {_first_line(str(error))}")
        return EXIT_FAILED
    finally:
        if connection is not None:
            connection.close()
    out.print(summary.line(), markup=False, highlight=False)
    for note in summary.notes:
        say(f"note: {note}")
    for failure in summary.failures:
        say(f"error: {failure}")
    return EXIT_FAILED if summary.failures else EXIT_OK


def _open(path: Path) -> Any:
    from .history import store

    try:
        return store.open_store(path)
    except store.StoreUnusable as error:
        raise UsageError(f"--db {error}") from None


def _first_line(text: str) -> str:
    lines = text.strip().splitlines()
    return lines[0] if lines else "failed"
