# Hand-written, not generated: `make generate` never touches currents_api_client/lib/ (see lib/__init__.py).
"""Sync projects from the API into the history store: incremental, resumable, read-only on the API.

`await sync_projects(connection, client, project_ids, since=..., concurrency=..., on_progress=...)` returns a
`SyncSummary`. `await resolve_projects(client, ids)` gives the project ids to sync (every project the key reads
when `ids` is empty; each given id checked with `get_project`, so an unknown one fails before any write).

Per project:
1. It pages the project's runs newest first (`list_project_runs`, `date_start` = `since`) down to its
   watermark, `sync_state.newest_run_created_at`: the newest run of the last sync that finished the project.
   A run it holds as finished is skipped; any other run is read. The watermark is used only when that sync
   reached at least as far back as `since` asks (`sync_state.synced_since`, NULL: from the first run).
2. It reads again every run it holds as in progress (`runs.completed` false), listed or not.
3. For each run to read: `get_run`, then the instances of its claimed specs that the store does not hold as
   finished, `concurrency` at a time with `runs.AdaptiveLimit` (halved on each 429, which the client retries as
   `Retry-After` says). An instance of a finished run is therefore never read twice.
4. Each run is written in one transaction: its row, its instances (an unclaimed spec as claimed = false), and
   for each instance read its `tests` rows (`iter_tests`), which replace the instance's earlier rows. A run
   with an instance that could not be read is not written at all; it is named in `SyncSummary.failures`, and
   the project's watermark stays where it was, so the next sync reads it again.
5. Once every run is written: the Tests Explorer's numbers (`list_tests`, from `since` or the project's oldest
   stored run to now) replace the project's `explorer_tests` rows in one transaction (an API that refuses
   them is a note, not a failure), and `sync_state` records the new watermark.

Killed at any point (SIGKILL included), the store holds whole runs only, and the next sync ends with the rows
an uninterrupted one gives: it skips the runs written as finished and reads the rest. Only GET requests are
sent. Timestamps go into DuckDB as aware datetimes and are read back as epoch microseconds, so reading the
store needs no time zone package.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import duckdb

from ...api.projects import get_project, list_projects
from ...api.runs import get_run, list_project_runs
from ...api.tests import list_tests
from ...client import AuthenticatedClient, Client
from ...errors import CurrentsError
from ..runs import DEFAULT_CONCURRENCY, AdaptiveLimit, RunStream, watched_client
from .rows import (
    Row,
    explorer_row,
    insert,
    instance_row,
    key_of,
    record_row,
    run_row,
    unclaimed_row,
)
from .store import TABLES, rollback

PAGE_SIZE = 50  # the API's largest page
ADDED_TABLES = ("runs", "instances", "tests")
FLUSH_ROWS = 2000  # rows of a run held before they go into its (still open) transaction


@dataclass(frozen=True, slots=True)
class SyncProgress:
    """Where a sync stands: the project, and runs and instances read of those planned so far."""

    project_id: str
    runs_done: int
    runs_total: int
    instances_done: int
    instances_total: int


@dataclass(slots=True)
class SyncSummary:
    """What a sync added (rows that were not in the store before it), what failed, and how long it took."""

    projects: int = 0
    added: dict[str, int] = field(default_factory=dict)
    runs_read: int = 0
    instances_read: int = 0
    failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def line(self) -> str:
        runs, instances, tests = (self.added.get(t, 0) for t in ADDED_TABLES)
        projects = f"{self.projects} project{'s' if self.projects != 1 else ''}"
        return (
            f"synced {projects}: {runs} runs, {instances} instances, {tests} tests added "
            f"({self.runs_read} runs and {self.instances_read} instances read) in {self.seconds:.1f} s"
        )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _micros(moment: dt.datetime) -> int:
    delta = moment - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _moment(micros: int | None) -> dt.datetime | None:
    if micros is None:
        return None
    return dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=micros)


def row_counts(connection: duckdb.DuckDBPyConnection) -> dict[str, int]:
    counts = {}
    for table in TABLES:
        row = connection.execute(f"SELECT count(*) FROM {table}").fetchone()
        counts[table] = int(row[0]) if row is not None else 0
    return counts


async def resolve_projects(client: AuthenticatedClient | Client, project_ids: Sequence[str]) -> list[str]:
    """`project_ids`, each checked to exist for the key, or every project the key reads when it is empty."""
    if not project_ids:
        return [p.project_id async for p in list_projects.aiterate(client=client, limit=PAGE_SIZE)]
    for project_id in project_ids:
        await get_project.asyncio(project_id, client=client)
    return list(dict.fromkeys(project_ids))


@dataclass(slots=True)
class _Watermark:
    newest: dt.datetime | None
    since: dt.datetime | None  # how far back the sync that set `newest` reached (None: from the first run)
    known: bool  # a sync finished this project before


class _ProjectSync:
    def __init__(
        self,
        connection: duckdb.DuckDBPyConnection,
        client: AuthenticatedClient | Client,
        limit: AdaptiveLimit,
        project_id: str,
        since: dt.datetime | None,
        summary: SyncSummary,
        on_progress: Callable[[SyncProgress], None] | None,
    ) -> None:
        self.connection = connection
        self.client = client
        self.limit = limit
        self.project_id = project_id
        self.since = since
        self.summary = summary
        self.on_progress = on_progress
        self.runs_done = 0
        self.runs_total = 0
        self.instances_done = 0
        self.instances_total = 0
        self.failed = False

    def _report(self) -> None:
        if self.on_progress is not None:
            self.on_progress(
                SyncProgress(
                    self.project_id, self.runs_done, self.runs_total, self.instances_done, self.instances_total
                )
            )

    def _watermark(self) -> _Watermark:
        row = self.connection.execute(
            "SELECT epoch_us(newest_run_created_at), epoch_us(synced_since), last_sync_finished_at IS NOT NULL "
            "FROM sync_state WHERE project_id = ?",
            [self.project_id],
        ).fetchone()
        if row is None or not row[2]:
            return _Watermark(None, None, False)
        return _Watermark(_moment(row[0]), _moment(row[1]), True)

    def _usable(self, mark: _Watermark) -> dt.datetime | None:
        """The watermark, when the sync that set it reached at least as far back as this one asks."""
        if not mark.known or mark.newest is None:
            return None
        if mark.since is None or (self.since is not None and self.since >= mark.since):
            return mark.newest
        return None

    def _held(self) -> dict[str, bool]:
        rows = self.connection.execute(
            "SELECT run_id, completed FROM runs WHERE project_id = ?", [self.project_id]
        ).fetchall()
        return {str(run_id): bool(completed) for run_id, completed in rows}

    async def run(self) -> None:
        started = _now()
        mark = self._watermark()
        self.connection.execute(
            "INSERT INTO sync_state (project_id, last_sync_started_at) VALUES (?, ?) "
            "ON CONFLICT (project_id) DO UPDATE SET last_sync_started_at = excluded.last_sync_started_at",
            [self.project_id, started],
        )
        floor = self._usable(mark)
        held = self._held()
        to_read: list[str] = []
        newest = mark.newest
        listing = list_project_runs.aiterate(
            self.project_id, client=self.client, limit=PAGE_SIZE, date_start=self.since
        )
        try:
            async for item in listing:
                if floor is not None and item.created_at < floor:
                    break  # older than the newest run of the last finished sync: held already
                newest = item.created_at if newest is None else max(newest, item.created_at)
                if not held.get(item.run_id, False):
                    to_read.append(item.run_id)
        finally:
            close = getattr(listing, "aclose", None)  # an async generator: no page is asked for after the break
            if close is not None:
                await close()
        listed = set(to_read)
        since_micros = None if self.since is None else _micros(self.since)
        for run_id, completed in held.items():
            if not completed and run_id not in listed:
                to_read.append(run_id)
        if since_micros is not None:
            to_read = [r for r in to_read if r in listed or self._created_after(r, since_micros)]
        self.runs_total = len(to_read)
        self._report()
        for run_id in to_read:
            await self._read_run(run_id)
            self.runs_done += 1
            self._report()
        if self.failed:
            return
        await self._explorer()
        synced_since = self.since
        if mark.known and (mark.since is None or (self.since is not None and mark.since < self.since)):
            synced_since = mark.since  # the store reaches further back than this sync asked
        self.connection.execute(
            "UPDATE sync_state SET newest_run_created_at = ?, synced_since = ?, last_sync_finished_at = ? "
            "WHERE project_id = ?",
            [newest, synced_since, _now(), self.project_id],
        )

    def _created_after(self, run_id: str, micros: int) -> bool:
        row = self.connection.execute(
            "SELECT epoch_us(created_at) >= ? FROM runs WHERE run_id = ?", [micros, run_id]
        ).fetchone()
        return bool(row and row[0])

    def _finished_instances(self, run_id: str) -> set[str]:
        rows = self.connection.execute(
            "SELECT instance_id FROM instances WHERE run_id = ? AND completed", [run_id]
        ).fetchall()
        return {str(instance_id) for (instance_id,) in rows}

    async def _read_run(self, run_id: str) -> None:
        try:
            run = (await get_run.asyncio(run_id, client=self.client)).data
        except CurrentsError as error:
            self._fail(f"run {run_id}: {_one_line(error)}")
            return
        self.summary.runs_read += 1
        specs = list(run.specs or ())
        finished = self._finished_instances(run_id)
        wanted = [s for s in specs if s.claimed_at is not None and s.instance_id not in finished]
        unclaimed = [s for s in specs if s.claimed_at is None and s.instance_id not in finished]
        self.instances_total += len(wanted)
        self._report()
        failures: list[str] = []
        writer = _RunWriter(self.connection)  # one transaction, open while the instances arrive
        try:
            writer.add([unclaimed_row(run, s, _now()) for s in unclaimed], [])
            stream = RunStream(run, self.client, self.limit, None, specs=wanted, owns_client=False)
            async with stream:
                async for result in stream:
                    self.instances_done += 1
                    self._report()
                    if result.instance is None:
                        failures.append(f"instance {result.instance_id} of run {run_id}: {result.error}")
                        continue
                    self.summary.instances_read += 1
                    tests = {(r.instance_id, key_of(r)): record_row(run, r) for r in result.records}
                    writer.add([instance_row(run, result.spec, result.instance, _now())], list(tests.values()))
            if failures:
                writer.rollback()
            else:
                writer.commit(run_row(run, _now()))
        finally:
            writer.rollback()  # a no-op once committed or rolled back
        for failure in failures:
            self._fail(failure)

    async def _explorer(self) -> None:
        start = self.since
        if start is None:
            row = self.connection.execute(
                "SELECT epoch_us(min(created_at)) FROM runs WHERE project_id = ?", [self.project_id]
            ).fetchone()
            start = _moment(row[0] if row else None)
        if start is None:
            return
        synced_at = _now()
        try:
            items = [
                explorer_row(self.project_id, test, synced_at)
                async for test in list_tests.aiterate(
                    self.project_id, client=self.client, date_start=start, date_end=synced_at, limit=PAGE_SIZE
                )
            ]
        except CurrentsError as error:
            self.summary.notes.append(f"project {self.project_id}: Tests Explorer not synced: {_one_line(error)}")
            return
        by_key = {(r[0], r[1], r[-1]): r for r in items}
        connection = self.connection
        connection.execute("BEGIN TRANSACTION")
        try:
            connection.execute("DELETE FROM explorer_tests WHERE project_id = ?", [self.project_id])
            insert(connection, "explorer_tests", list(by_key.values()))
            connection.execute("COMMIT")
        except BaseException:
            rollback(connection)
            raise

    def _fail(self, line: str) -> None:
        self.failed = True
        self.summary.failures.append(line)


class _RunWriter:
    """The rows of one run, written in one transaction: instances and their tests as they arrive, in batches of
    `FLUSH_ROWS` (so a large run is not held in memory), and the run's own row with the commit."""

    def __init__(self, connection: duckdb.DuckDBPyConnection) -> None:
        self.connection = connection
        self.instances: list[Row] = []
        self.tests: list[Row] = []
        self.open = True
        connection.execute("BEGIN TRANSACTION")

    def add(self, instances: list[Row], tests: list[Row]) -> None:
        self.instances.extend(instances)
        self.tests.extend(tests)
        if len(self.tests) + len(self.instances) >= FLUSH_ROWS:
            self._flush()

    def _flush(self) -> None:
        ids = [row[0] for row in self.instances]
        if ids:  # the instance's earlier test rows go: a test that is gone from it is gone from the store
            self.connection.execute("DELETE FROM tests WHERE instance_id IN (SELECT unnest(?))", [ids])
        insert(self.connection, "instances", self.instances)
        insert(self.connection, "tests", self.tests)
        self.instances, self.tests = [], []

    def commit(self, run: Row) -> None:
        self._flush()
        insert(self.connection, "runs", [run])
        self.connection.execute("COMMIT")
        self.open = False

    def rollback(self) -> None:
        if self.open:
            self.open = False
            rollback(self.connection)


def _one_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


async def sync_projects(
    connection: duckdb.DuckDBPyConnection,
    client: AuthenticatedClient | Client,
    project_ids: Sequence[str],
    *,
    since: dt.datetime | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
    on_progress: Callable[[SyncProgress], None] | None = None,
) -> SyncSummary:
    """Sync each project of `project_ids` into the store (see the module docstring)."""
    clock = time.perf_counter()
    before = row_counts(connection)
    summary = SyncSummary(projects=len(project_ids))
    limit = AdaptiveLimit(concurrency)
    watched = watched_client(client, limit)
    try:
        for project_id in project_ids:
            await _ProjectSync(connection, watched, limit, project_id, since, summary, on_progress).run()
    finally:
        await watched.get_async_httpx_client().aclose()
    after = row_counts(connection)
    summary.added = {table: after[table] - before[table] for table in TABLES}
    summary.seconds = time.perf_counter() - clock
    return summary
