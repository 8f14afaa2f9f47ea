"""A history store to write into, and a large made-up project in it, for `make spark-check`, the bench and the tests.

`create_store(path)` opens the store with the package's own DDL (`history/schema.sql`, through `open_store`, as
`currents-api sync` creates it), in UTC. `add_synthetic_rows(store, runs, tests)` adds `SYNTHETIC_PROJECT`: runs
x tests rows that DuckDB makes itself (a million in seconds), whose tests flip, also between the two runs of one
commit, which the mock's never do. The tests' store of the mock's answers (tests/history/store_builder.py) is
built on `create_store` too.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
from currents_api_client.lib.history.store import open_store


def create_store(path: Path, *, schema: bool = True) -> duckdb.DuckDBPyConnection:
    """A writable connection to the store at `path`, in UTC; `schema`: create its tables first."""
    # With the package's own DDL (history/schema.sql), as `currents-api sync` creates it.
    connection = open_store(path) if schema else duckdb.connect(str(path))
    connection.execute("SET TimeZone = 'UTC'")
    return connection


SYNTHETIC_PROJECT = "Synth1"


def add_synthetic_rows(connection: duckdb.DuckDBPyConnection, runs: int, tests: int) -> int:
    """`runs` x `tests` test rows of one more project, made by DuckDB itself (a million in seconds): two runs per
    commit, a third of them on main, states from a hash of (run, test), so a rerun makes the same rows. One test in
    a hundred is flaky three times in ten; the others are flaky or fail one time in twenty each, some skip. Their
    runs are in `runs` too, so the dataset and every join see them. Returns the rows added."""
    connection.execute(
        """
        INSERT INTO runs
        SELECT 'synth-run-' || r, ?, TIMESTAMPTZ '2026-01-01 00:00:00+00' + r * INTERVAL 1 HOUR, 'PASSED', true,
               CASE WHEN r % 3 = 0 THEN 'main' ELSE 'feature/synthetic' END, 'synth-sha-' || (r // 2), 'synthetic',
               [], NULL, [], TIMESTAMPTZ '2026-12-01 00:00:00+00'
        FROM range(?) AS runs(r)
        """,
        [SYNTHETIC_PROJECT, runs],
    )
    connection.execute(
        """
        INSERT INTO tests
        SELECT ?, 'synth-run-' || r, 'synth-inst-' || r || '-' || (t % 20),
               'title:["suite ' || (t % 50) || '","test ' || t || '"]', NULL, 'specs/area-' || (t % 20) || '.spec.ts',
               ['suite ' || (t % 50), 'test ' || t],
               CASE WHEN t % 100 = 0 AND h < 0.3 THEN 'flaky' WHEN t % 100 = 0 AND h < 0.4 THEN 'failed'
                    WHEN h < 0.05 THEN 'flaky' WHEN h < 0.10 THEN 'failed' WHEN h < 0.12 THEN 'skipped'
                    ELSE 'passed' END,
               'synthetic', 1, false, 1000, NULL, TIMESTAMPTZ '2026-01-01 00:00:00+00' + r * INTERVAL 1 HOUR,
               CASE WHEN r % 3 = 0 THEN 'main' ELSE 'feature/synthetic' END, 'synth-sha-' || (r // 2)
        FROM (SELECT r, t, (hash(r * 1000003 + t) % 1000000) / 1000000.0 AS h FROM range(?) AS a(r), range(?) AS b(t))
        """,
        [SYNTHETIC_PROJECT, runs, tests],
    )
    connection.execute(
        "UPDATE tests SET flaky = (state = 'flaky'), attempts = CASE WHEN state = 'flaky' THEN 2 ELSE 1 END"
        " WHERE project_id = ?",
        [SYNTHETIC_PROJECT],
    )
    return runs * tests
