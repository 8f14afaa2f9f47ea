"""The flaky queries' one definition of the executions they count: flaky_executions.sql, which
`history.metrics` composes into the metrics (flaky_metrics.sql) and the trend charts (flaky_trend.sql)."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import duckdb
import pytest
from currents_api_client.lib.history.metrics import (
    EXECUTIONS_SQL,
    METRICS_SQL,
    TREND_SQL,
    Filters,
    metrics_sql,
    trend_sql,
    with_executions,
)
from currents_api_client.lib.history.store import SCHEMA_FILE

START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
STATES = ("passed", "failed", "flaky", "skipped", "pending")
FILTERS = {
    "none": Filters(),
    "project": Filters(project_id="P1"),
    "branch": Filters(branch="main"),
    "since": Filters(since=START + dt.timedelta(days=3)),
    "all three": Filters("P2", START + dt.timedelta(days=1), "dev"),
}


@pytest.fixture(scope="module")
def store() -> duckdb.DuckDBPyConnection:
    """An in-memory store of 240 test rows: every state, two projects, two branches and no branch, over 6 days."""
    connection = duckdb.connect()
    connection.execute("SET TimeZone = 'UTC'")
    connection.execute(SCHEMA_FILE.read_text(encoding="utf-8"))
    for number, (project, branch, day, state, test) in enumerate(
        itertools.product(("P1", "P2"), ("main", "dev", None), range(0, 6, 2), STATES, range(8))
    ):
        created = START + dt.timedelta(days=day + test % 2, hours=test)
        connection.execute(
            "INSERT INTO tests VALUES (?, ?, ?, ?, NULL, ?, ?, ?, NULL, 1, false, NULL, NULL, ?, ?, 'sha')",
            [
                project,
                f"run-{number}",
                f"inst-{number}",
                "k",
                f"spec{test % 3}",
                ["t", str(test % 4)],
                state,
                created,
                branch,
            ],
        )
    return connection


def rows(connection: duckdb.DuckDBPyConnection, sql: str, filters: Filters) -> list[dict[str, Any]]:
    cursor = connection.execute(sql, filters.parameters())
    names = [column[0] for column in cursor.description or ()]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


@pytest.mark.parametrize("name", FILTERS)
def test_the_trend_counts_exactly_the_executions_the_metrics_count(store: duckdb.DuckDBPyConnection, name: str) -> None:
    metrics = {(r["project_id"], r["spec"], tuple(r["title"])): r for r in rows(store, metrics_sql(), FILTERS[name])}
    summed: dict[tuple[Any, ...], list[int]] = {}
    for day in rows(store, trend_sql(), FILTERS[name]):
        counts = summed.setdefault((day["project_id"], day["spec"], tuple(day["title"])), [0, 0, 0])
        for index, column in enumerate(("executions", "flaky", "failed")):
            counts[index] += day[column]
    assert metrics, name  # every filter keeps some tests
    assert summed == {key: [r["executions"], r["flaky"], r["failed"]] for key, r in metrics.items()}


def test_neither_query_file_writes_the_executions_filter_again() -> None:
    fragment = EXECUTIONS_SQL.read_text(encoding="utf-8")
    assert fragment.count("FROM tests") == 1 and fragment.count("p.branch IS NULL") == 1
    for query in (METRICS_SQL, TREND_SQL):
        text = query.read_text(encoding="utf-8")
        assert "FROM tests" not in text and "p.branch IS NULL" not in text, query.name
    for composed in (metrics_sql(), trend_sql()):
        assert composed.count("FROM tests") == 1 and "{executions}" not in composed.split("\nWITH\n", 1)[1]


@pytest.mark.parametrize(
    "query",
    [
        "SELECT 1",
        "-- see the {executions} line\nSELECT 1",
        "WITH\n{executions},\nx AS (SELECT 1),\n{executions}\nSELECT 1",
    ],
)
def test_a_query_without_exactly_one_executions_line_is_refused(query: str) -> None:
    with pytest.raises(ValueError, match=r"^a flaky query needs one `\{executions\}` line, not [02]$"):
        with_executions(query)
