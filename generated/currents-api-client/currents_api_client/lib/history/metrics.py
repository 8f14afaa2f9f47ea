# Hand-written, not generated: `make generate` never touches currents_api_client/lib/ (see lib/__init__.py).
"""The flakiness metrics of a history store: `flaky_metrics(store, filters)`, one `TestMetrics` per test.

The definitions live in one file, `flaky_metrics.sql` beside this module (each one documented there with its
source), and the executions they count, the filters included, in `flaky_executions.sql`, which the metrics and
the trend charts (`flaky_trend.sql`) both start from: `metrics_sql()` and `trend_sql()` paste it in place of
their `{executions}` line. DuckDB runs that text here, Spark SQL runs the same text on the Parquet dataset
(`make spark-check`). The filters are bound as positional parameters (`Filters.parameters`), never pasted into
the SQL.

`open_store(path)` opens a store read-only, and says in one line (`StoreError`) when the file is missing, is not
a DuckDB file, is locked by a writer or is not a history store. Needs the `history` extra (duckdb).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import duckdb

HERE = Path(__file__).resolve().parent
METRICS_SQL = HERE / "flaky_metrics.sql"
TREND_SQL = HERE / "flaky_trend.sql"
EXECUTIONS_SQL = HERE / "flaky_executions.sql"
# The line of a query file that flaky_executions.sql takes the place of: `{executions}`, alone, or with the comma
# that goes on to the query's own CTEs.
_EXECUTIONS_LINE = re.compile(r"^\{executions\}(?=,?$)", re.MULTILINE)
SCHEMA_VERSION = "1"  # the store shape this module reads (store_meta.schema_version)
REQUIRED_TABLES = ("tests", "explorer_tests")


class StoreError(Exception):
    """The store cannot be read; its text is one line naming the file."""


def with_executions(query: str) -> str:
    """`query` with flaky_executions.sql's CTEs (its comments left out) in place of its `{executions}` line."""
    lines = EXECUTIONS_SQL.read_text(encoding="utf-8").splitlines()
    ctes = "\n".join(line for line in lines if not line.startswith("--")).strip()
    composed, found = _EXECUTIONS_LINE.subn(lambda _: ctes, query)
    if found != 1:
        raise ValueError(f"a flaky query needs one `{{executions}}` line, not {found}")
    return composed


def metrics_sql() -> str:
    """The text of the metrics query, whole (flaky_metrics.sql from flaky_executions.sql)."""
    return with_executions(METRICS_SQL.read_text(encoding="utf-8"))


def trend_sql() -> str:
    """The text of the trend query, whole (flaky_trend.sql from flaky_executions.sql)."""
    return with_executions(TREND_SQL.read_text(encoding="utf-8"))


@dataclass(frozen=True, slots=True)
class Filters:
    """What `flaky` keeps: one project (or all), runs since a moment (UTC), one branch, a minimum of executions."""

    project_id: str | None = None
    since: dt.datetime | None = None
    branch: str | None = None
    min_executions: int = 1

    def parameters(self) -> list[Any]:
        """The four positional parameters of flaky_metrics.sql, in its order. `since` is sent as UTC text, which
        both engines cast to TIMESTAMP in their UTC session."""
        since = None if self.since is None else utc(self.since).strftime("%Y-%m-%d %H:%M:%S.%f")
        return [self.project_id, since, self.branch, self.min_executions]


@dataclass(frozen=True, slots=True)
class TestMetrics:
    """One test's row of flaky_metrics.sql (see the file for each definition)."""

    __test__ = False  # not a pytest test class, whatever its name says

    project_id: str
    spec: str
    title: tuple[str, ...]
    executions: int
    passed: int
    failed: int
    flaky: int
    flake_rate: float
    failure_rate: float
    same_commit_flips: int
    flip_rate: float | None
    first_seen: dt.datetime
    last_seen: dt.datetime
    currents_flakiness_rate: float | None
    currents_executions: int | None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> TestMetrics:
        values = dict(row)
        values["title"] = tuple(values["title"])
        values["first_seen"] = utc(values["first_seen"])
        values["last_seen"] = utc(values["last_seen"])
        return cls(**values)

    @property
    def full_title(self) -> str:
        return " > ".join(self.title)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the title a list, moments ISO 8601 in UTC, a rate that is not a number None."""
        body = asdict(self)
        body["title"] = list(self.title)
        body["first_seen"] = self.first_seen.isoformat()
        body["last_seen"] = self.last_seen.isoformat()
        for name in ("flake_rate", "failure_rate", "flip_rate", "currents_flakiness_rate"):
            value = body[name]
            if isinstance(value, float) and not math.isfinite(value):
                body[name] = None
        return body


def utc(moment: dt.datetime) -> dt.datetime:
    """`moment` in UTC; a naive moment is taken as UTC (Spark and DuckDB's TIMESTAMP)."""
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def open_store(path: Path) -> duckdb.DuckDBPyConnection:
    """`path` opened read-only, in a UTC session; `StoreError` (one line) when it is not a readable history store."""
    if not path.is_file():
        raise StoreError(f"{path}: no such history store (create it with `currents-api sync`)")
    try:
        connection = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as error:
        raise StoreError(f"{path}: cannot open it as a DuckDB history store: {_first_line(error)}") from None
    try:
        connection.execute("SET TimeZone = 'UTC'")
        tables = {row[0] for row in connection.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        missing = [name for name in REQUIRED_TABLES if name not in tables]
        if missing:
            raise StoreError(f"{path}: not a history store (no {', '.join(missing)} table)")
        if "store_meta" in tables:
            found = connection.execute("SELECT value FROM store_meta WHERE key = 'schema_version'").fetchone()
            if found is not None and found[0] != SCHEMA_VERSION:
                raise StoreError(
                    f"{path}: a history store of schema version {found[0]}; this kit reads version {SCHEMA_VERSION}"
                )
    except BaseException:
        connection.close()
        raise
    return connection


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


def _rows(connection: duckdb.DuckDBPyConnection, sql: str, parameters: list[Any]) -> list[dict[str, Any]]:
    cursor = connection.execute(sql, parameters)
    names = [column[0] for column in cursor.description or ()]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def flaky_metrics(connection: duckdb.DuckDBPyConnection, filters: Filters) -> list[TestMetrics]:
    """One `TestMetrics` per test that `filters` keep, most flaky first (the SQL's order)."""
    return [TestMetrics.from_row(row) for row in _rows(connection, metrics_sql(), filters.parameters())]


@dataclass(frozen=True, slots=True)
class TrendPoint:
    day: dt.date
    executions: int
    flaky: int
    failed: int


def trends(
    connection: duckdb.DuckDBPyConnection, filters: Filters, tests: list[TestMetrics]
) -> dict[tuple[str, str, tuple[str, ...]], list[TrendPoint]]:
    """Per test of `tests`, its executions per UTC day (flaky_trend.sql), oldest first."""
    wanted = {(t.project_id, t.spec, t.title) for t in tests}
    found: dict[tuple[str, str, tuple[str, ...]], list[TrendPoint]] = {key: [] for key in wanted}
    for row in _rows(connection, trend_sql(), filters.parameters()):
        key = (row["project_id"], row["spec"], tuple(row["title"]))
        if key in wanted:
            found[key].append(TrendPoint(row["day"], row["executions"], row["flaky"], row["failed"]))
    return found
