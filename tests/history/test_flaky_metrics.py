"""`currents-api flaky`: the metrics agree with counts computed here from the mock's own answers, each definition
gives its documented value on a hand-made history, the filters are bound (never pasted) and every output format
keeps server text as data."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import json
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from scripts.history.synthetic import create_store
from tests.history.store_builder import Harvest, RunRow, record_key
from tests.lib.cli_support import assert_one_error_line, cli, cli_on_terminal

pytestmark = pytest.mark.slow  # the end-to-end tier: `make test-e2e`

RAN = ("passed", "failed", "flaky")


def _lines(stdout: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stdout.splitlines()]


def _expected(answers: Harvest, keep: Callable[[RunRow], bool] = lambda run: True) -> dict[str, Any]:
    """The metrics of every test, computed in Python from the records iter_tests gave for the API's answers."""
    executions: defaultdict[str, list[tuple[Any, ...]]] = defaultdict(list)
    for run, record in answers.records:
        if record.state in RAN and keep(run):
            test = json.dumps([run.project_id, record.spec, list(record.title)])
            order = (run.created_at, record.run_id, record.instance_id, record_key(record))
            executions[test].append((order, record.state, run.commit_sha))
    found: dict[str, Any] = {}
    for key, rows in executions.items():
        rows.sort()
        states = [state for _, state, _ in rows]
        outcomes = ["fail" if state == "failed" else "pass" for state in states]
        flips = sum(1 for a, b in itertools.pairwise(outcomes) if a != b)
        by_commit: defaultdict[str, set[str]] = defaultdict(set)
        for (_, _, sha), outcome in zip(rows, outcomes, strict=True):
            if sha is not None:
                by_commit[sha].add(outcome)
        n = len(rows)
        found[key] = {
            "executions": n,
            "passed": states.count("passed"),
            "failed": states.count("failed"),
            "flaky": states.count("flaky"),
            "flake_rate": states.count("flaky") / n,
            "failure_rate": states.count("failed") / n,
            "same_commit_flips": sum(1 for seen in by_commit.values() if seen == {"pass", "fail"}),
            "flip_rate": flips / (n - 1) if n > 1 else None,
            "first_seen": rows[0][0][0].isoformat(),
            "last_seen": rows[-1][0][0].isoformat(),
        }
    return found


def _reported(stdout: str) -> dict[str, Any]:
    reported = {}
    for line in _lines(stdout):
        key = json.dumps([line["project_id"], line["spec"], line["title"]])
        assert key not in reported, f"{key} twice"
        reported[key] = {name: line[name] for name in line if not name.startswith("currents_")}
        for name in ("project_id", "spec", "title"):
            del reported[key][name]
    return reported


def test_flaky_json_agrees_with_counts_computed_from_the_api_answers(
    answers: Harvest, store: Path, mock_url: str
) -> None:
    process = cli(mock_url, "flaky", "--db", str(store), "--format", "json")
    assert process.returncode == 0, process.stderr
    expected = _expected(answers)
    assert _reported(process.stdout) == expected
    assert sum(e["flaky"] for e in expected.values()) > 0 and sum(e["failed"] for e in expected.values()) > 0
    assert any(e["flip_rate"] is not None for e in expected.values())  # tests that ran more than once


def test_piped_output_is_json_lines_most_flaky_first(store: Path, mock_url: str) -> None:
    process = cli(mock_url, "flaky", "--db", str(store))
    assert process.returncode == 0, process.stderr
    rates = [line["flake_rate"] for line in _lines(process.stdout)]
    assert rates == sorted(rates, reverse=True) and rates[0] > 0


@pytest.mark.parametrize(
    ("flags", "keep"),
    [
        (("--branch", "main"), lambda run: run.branch == "main"),
        (("--since", "2026-01-01"), lambda run: run.created_at >= dt.datetime(2026, 1, 1, tzinfo=dt.UTC)),
        (("Prj7Qa",), lambda run: run.project_id == "Prj7Qa"),
    ],
    ids=["branch", "since", "project"],
)
def test_the_filters_keep_what_they_say(
    answers: Harvest, store: Path, mock_url: str, flags: tuple[str, ...], keep: Callable[[RunRow], bool]
) -> None:
    process = cli(mock_url, "flaky", *flags, "--db", str(store), "--format", "json")
    assert process.returncode == 0, process.stderr
    expected = _expected(answers, keep)
    assert expected and len(expected) < len(_expected(answers))
    assert _reported(process.stdout) == expected


def test_min_executions_drops_the_tests_that_ran_fewer_times(answers: Harvest, store: Path, mock_url: str) -> None:
    process = cli(mock_url, "flaky", "--min-executions", "2", "--db", str(store), "--format", "json")
    assert process.returncode == 0, process.stderr
    expected = {k: v for k, v in _expected(answers).items() if v["executions"] >= 2}
    assert expected and _reported(process.stdout) == expected


def test_currents_flakiness_rate_is_the_explorers_number_side_by_side(
    answers: Harvest, store: Path, mock_url: str
) -> None:
    process = cli(mock_url, "flaky", "--db", str(store), "--format", "json")
    explorer = {
        json.dumps([t["project_id"], t["spec"], t["title"].split(" > ")]): t["metrics"] for t in answers.explorer
    }
    matched = 0
    for line in _lines(process.stdout):
        metrics = explorer.get(json.dumps([line["project_id"], line["spec"], line["title"]]))
        if metrics is None:
            assert line["currents_flakiness_rate"] is None
            continue
        matched += 1
        assert line["currents_flakiness_rate"] == metrics["flakinessRate"]
        assert line["currents_executions"] == metrics["executions"]
    assert matched > 0


def test_a_branch_is_a_bound_value_never_sql(store: Path, mock_url: str) -> None:
    process = cli(mock_url, "flaky", "--branch", "x' OR 1=1 OR branch <> '", "--db", str(store), "--format", "json")
    assert process.returncode == 0, process.stderr
    assert process.stdout == ""


# --- the definitions on a history made by hand ------------------------------------------------------------------

START = dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC)
SPEC = "=cmd|' /C calc'!A0.spec.ts"  # a spec a spreadsheet would run as a formula
TITLE = ["[bold]Checkout[/bold]", "pays \x1b[31mby card"]


def _row(n: int, state: str, commit: str, branch: str = "main", title: list[str] = TITLE) -> list[Any]:
    created = START + dt.timedelta(hours=n)
    key = "title:" + json.dumps(title)
    run, instance = f"run{n:03}", f"inst{n:03}"
    return ["P1", run, instance, key, None, SPEC, title, state, state, 1, state == "flaky", 100, None, created]


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One test over five executions on three commits, plus a skip and a run of another branch."""
    path = tmp_path_factory.mktemp("made") / "made.duckdb"
    rows = [
        [*_row(0, "passed", "c1"), "main", "c1"],
        [*_row(1, "failed", "c1"), "main", "c1"],
        [*_row(2, "passed", "c2"), "main", "c2"],
        [*_row(3, "skipped", "c2"), "main", "c2"],
        [*_row(4, "flaky", "c3"), "main", "c3"],
        [*_row(5, "failed", "c3"), "main", "c3"],
        [*_row(6, "failed", "c9", title=["other"]), "feature/x", "c9"],
    ]
    connection = create_store(path)
    connection.executemany("INSERT INTO tests VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    connection.execute(
        "INSERT INTO explorer_tests VALUES ('P1', ?, ?, 'sig', 40, 0.125, 0.25, now(), ?)",
        [SPEC, TITLE, json.dumps(TITLE, separators=(",", ":"))],
    )
    connection.close()
    return path


def test_each_definition_gives_its_documented_value(made: Path, mock_url: str) -> None:
    process = cli(mock_url, "flaky", "--branch", "main", "--db", str(made), "--format", "json")
    assert process.returncode == 0, process.stderr
    (line,) = _lines(process.stdout)
    assert line["title"] == TITLE and line["spec"] == SPEC
    # executions: passed + failed + flaky, the skip left out; outcomes in order: pass fail pass pass fail
    assert (line["executions"], line["passed"], line["failed"], line["flaky"]) == (5, 2, 2, 1)
    assert line["flake_rate"] == 1 / 5 and line["failure_rate"] == 2 / 5
    assert line["same_commit_flips"] == 2  # c1 passed and failed; c3 ended passing (flaky) and failed; c2 only passed
    assert line["flip_rate"] == 3 / 4  # pass>fail, fail>pass, pass>fail over 4 consecutive pairs
    assert line["first_seen"] == START.isoformat() and line["last_seen"] == (START + dt.timedelta(hours=5)).isoformat()
    assert (line["currents_flakiness_rate"], line["currents_executions"]) == (0.125, 40)


def test_csv_neutralises_formulas_and_keeps_the_title_path(made: Path, mock_url: str) -> None:
    process = cli(mock_url, "flaky", "--db", str(made), "--format", "csv")
    assert process.returncode == 0, process.stderr
    header, *rows = list(csv.reader(io.StringIO(process.stdout)))
    assert header[:4] == ["project_id", "spec", "title", "executions"] and len(rows) == 2
    cells = dict(zip(header, rows[0], strict=True))
    assert cells["spec"] == "'" + SPEC  # OWASP: a leading ' so no spreadsheet runs it
    assert cells["title"] == "[bold]Checkout[/bold] > pays [31mby card"  # ESC dropped, markup kept as text


def test_the_table_prints_server_text_literally(made: Path, mock_url: str, tmp_path: Path) -> None:
    status, table = cli_on_terminal(mock_url, "flaky", "--db", str(made), cwd=tmp_path)
    assert status == 0, table
    assert "[bold]Checkout[/bold]" in table and "\\x1b[31mby" in table and "flaky tests (2)" in table


@pytest.mark.parametrize(
    ("flags", "fragment"),
    [
        (("--db", "absent.duckdb"), "absent.duckdb: no such history store"),
        (("--db", "not-duckdb.duckdb"), "not-duckdb.duckdb: cannot open it as a DuckDB history store"),
        (("--min-executions", "0"), "argument --min-executions: '0' is not a whole number of at least 1"),
        (("--since", "yesterday"), "'yesterday' is not an ISO 8601 date"),
        (("--quarantine", "--expires", "soon"), "'soon' is not a duration like 14d"),
        (("--apply",), "--apply goes with --quarantine"),
    ],
    ids=["missing", "not-duckdb", "min-executions", "since", "expires", "apply-alone"],
)
def test_bad_input_is_one_line_and_exit_2(mock_url: str, tmp_path: Path, flags: tuple[str, ...], fragment: str) -> None:
    (tmp_path / "not-duckdb.duckdb").write_text("not a database\n")
    (tmp_path / "made.duckdb").touch()
    process = cli(mock_url, "flaky", *flags, cwd=tmp_path)
    assert process.returncode == 2, process.stderr
    assert "Traceback" not in process.stderr
    if fragment.startswith(("argument", "'")):
        assert fragment in process.stderr.splitlines()[-1]  # argparse's usage, then the one line
    else:
        assert_one_error_line(process, 2, fragment)
