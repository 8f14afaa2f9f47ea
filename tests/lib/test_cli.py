"""`currents-api`: the installed console script, run in a subprocess against the mock on loopback."""

from __future__ import annotations

import json
import signal
import subprocess
from pathlib import Path

import pytest
from currents_api_client import iter_tests
from currents_api_client.models import InstanceResponse
from junitparser import Failure, JUnitXml

from contract_tests.conftest import demo_key
from contract_tests.mock_api.app import create_app
from contract_tests.mock_api.artifacts import ArtifactSigner, serve_artifacts
from contract_tests.mock_api.generated_run import GeneratedRun, serve_generated_run
from contract_tests.mock_api.server import serve_in_thread
from tests.client.conftest import ScriptedServer
from tests.lib.cli_support import (
    PW_V2,
    RUN_PAGES,
    SCRIPT,
    TIMEOUT,
    assert_one_error_line,
    cli,
    cli_on_terminal,
    environment,
    interrupt_mid_export,
    page,
)
from tests.lib.test_records import FIXTURES

pytestmark = pytest.mark.slow  # the end-to-end tier: `make test-e2e`

# --- instance -------------------------------------------------------------------------------------------------------


def test_instance_piped_prints_one_json_record_per_test(mock: str) -> None:
    process = cli(mock, "instance", PW_V2)
    assert process.returncode == 0 and process.stderr == ""
    lines = [json.loads(line) for line in process.stdout.splitlines()]
    expected = list(
        iter_tests(InstanceResponse.from_dict(json.loads((FIXTURES / f"{_fixture(PW_V2)}").read_text())).data)
    )
    assert [(line["test_id"], line["state"]) for line in lines] == [(r.test_id, r.state) for r in expected]


def _fixture(instance_id: str) -> str:
    return next(p.name for p in FIXTURES.glob("*.json") if instance_id in p.read_text())


def test_instance_failed_only_keeps_failed_and_flaky_tests(mock: str) -> None:
    process = cli(mock, "instance", PW_V2, "--failed-only")
    assert sorted(json.loads(line)["state"] for line in process.stdout.splitlines()) == ["failed", "flaky"]


def test_instance_on_a_terminal_prints_a_table(mock: str, tmp_path: Path) -> None:
    status, output = cli_on_terminal(mock, "instance", PW_V2, cwd=tmp_path)
    assert status == 0
    assert "instance 7Hq2mXw9LpR4sTz1" in output and "┃" in output and "pays with 3-D Secure" in output
    assert '{"run_id"' not in output


def test_an_unknown_instance_is_one_line_and_exit_1(mock: str) -> None:
    assert_one_error_line(cli(mock, "instance", "no-such-instance"), 1, "404", "Instance not found")


def test_a_refused_key_is_one_line_exit_1_and_the_key_is_never_shown(mock: str) -> None:
    key = "cur_wrong_key_0123456789-SECRET"
    process = cli(mock, "instance", PW_V2, key=key)
    assert_one_error_line(process, 1, "401")
    assert key not in process.stdout + process.stderr


def test_a_missing_key_is_a_usage_error(mock: str) -> None:
    env = {k: v for k, v in environment(mock).items() if k != "CURRENTS_API_KEY"}
    process = subprocess.run([SCRIPT, "instance", PW_V2], env=env, capture_output=True, text=True, timeout=TIMEOUT)
    assert_one_error_line(process, 2, "CURRENTS_API_KEY is not set")


def test_a_network_failure_is_one_line_and_exit_1(tmp_path: Path) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = cli(f"http://127.0.0.1:{port}/v1", "instance", PW_V2)
    assert process.returncode == 1 and "Traceback" not in process.stderr
    assert process.stderr.startswith("error: ") and len(process.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["run", "R", "--format", "csv"], "--format needs --export"),
        (["run", "R", "--export", "run.txt"], "cannot tell the format"),
        (["run", "R", "--concurrency", "0"], "--concurrency must be at least 1"),
        (["run", "R", "--export", "no/such/folder/run.xml"], "does not exist"),
        (["runs", "P", "--limit", "-1"], "--limit must be 0"),
    ],
)
def test_usage_errors_exit_2_with_one_line(mock: str, tmp_path: Path, args: list[str], fragment: str) -> None:
    assert_one_error_line(cli(mock, *args, cwd=tmp_path), 2, fragment)


def test_argparse_usage_errors_exit_2_without_traceback(mock: str) -> None:
    process = cli(mock, "run")
    assert process.returncode == 2 and "Traceback" not in process.stderr and "usage:" in process.stderr


# --- run ------------------------------------------------------------------------------------------------------------


def test_run_exports_junit_that_reads_back_and_downloads_every_artifact(
    mock: str, run: GeneratedRun, signer: ArtifactSigner, tmp_path: Path
) -> None:
    process = cli(mock, "run", run.run_id, "--export", "run.xml", "--artifacts", "out", cwd=tmp_path)

    assert process.returncode == 0, process.stderr
    assert process.stdout == "" and process.stderr == ""  # piped: no progress, no table
    records = [
        r
        for instance_id in run.claimed_ids
        for r in iter_tests(InstanceResponse.from_dict(json.loads(run.instances[instance_id])).data)
    ]
    document = JUnitXml.fromfile(str(tmp_path / "run.xml"))
    assert document.tests == len(records)
    assert document.failures == sum(r.state == "failed" for r in records) > 0
    assert document.skipped == sum(r.state in ("skipped", "pending") for r in records)
    failures = [case.result[0] for suite in document for case in suite if case.result and case.is_failure]
    assert all(isinstance(f, Failure) and f.message for f in failures)
    assert {f.message for f in failures} >= {"Error: expect(locator).toBeVisible() failed"}
    # every artifact URL was stale on first issue: each instance was re-fetched once for fresh URLs
    files = [p for p in (tmp_path / "out").rglob("*") if p.is_file()]
    distinct = {(r.instance_id, a.url.split("?")[0]) for r in records for a in r.artifacts}
    assert len(files) == len(distinct) > 0
    assert not list(tmp_path.rglob("*.part"))


def test_run_piped_without_export_streams_json_lines(mock: str, run: GeneratedRun) -> None:
    process = cli(mock, "run", run.run_id, "--failed-only")
    assert process.returncode == 0 and process.stderr == ""
    states = {json.loads(line)["state"] for line in process.stdout.splitlines()}
    assert states == {"failed", "flaky"}


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_run_export_format_flag_overrides_the_suffix(mock: str, run: GeneratedRun, tmp_path: Path, fmt: str) -> None:
    process = cli(mock, "run", run.run_id, "--export", "run.out", "--format", fmt, cwd=tmp_path)
    assert process.returncode == 0, process.stderr
    text = (tmp_path / "run.out").read_text()
    assert text.startswith("run_id,instance_id") if fmt == "csv" else json.loads(text.splitlines()[0])["run_id"]


def test_run_on_a_terminal_shows_progress_and_a_summary(mock: str, run: GeneratedRun, tmp_path: Path) -> None:
    status, output = cli_on_terminal(
        mock, "run", run.run_id, "--export", "run.jsonl", "--artifacts", "out", cwd=tmp_path
    )
    assert status == 0, output
    assert f"run {run.run_id}: instances" in output and "6/6" in output  # rich's progress bar
    assert "wrote" in output and "artifacts:" in output


def test_a_failed_instance_is_one_line_with_its_id_and_the_others_are_exported(
    mock: str, broken_run: GeneratedRun, tmp_path: Path
) -> None:
    process = cli(mock, "run", broken_run.run_id, "--export", "run.jsonl", cwd=tmp_path)

    assert process.returncode == 1
    errors = [line for line in process.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and broken_run.missing_ids[0] in errors[0] and "404" in errors[0]
    assert any(line.startswith("note:") and broken_run.unclaimed_ids[0] in line for line in process.stderr.splitlines())
    exported = {json.loads(line)["instance_id"] for line in (tmp_path / "run.jsonl").read_text().splitlines()}
    assert exported == set(broken_run.claimed_ids)


def test_artifacts_that_stay_expired_are_reported_missing_with_exit_1(run: GeneratedRun, tmp_path: Path) -> None:
    expired = ArtifactSigner(ttl_seconds=-60)
    app = serve_artifacts(serve_generated_run(create_app(), run, [demo_key()]), expired)
    with serve_in_thread(app) as url:
        process = cli(
            url, "run", run.run_id, "--failed-only", "--export", "run.csv", "--artifacts", "out", cwd=tmp_path
        )
    assert process.returncode == 1
    errors = process.stderr.strip().splitlines()
    assert errors and all(line.startswith("error: artifact out/") and "HTTP 403" in line for line in errors)
    assert (tmp_path / "run.csv").is_file()
    assert not [p for p in (tmp_path / "out").rglob("*") if p.is_file()]


def test_ctrl_c_exits_130_and_leaves_no_half_written_export(run: GeneratedRun, tmp_path: Path) -> None:
    (tmp_path / "run.jsonl").write_text("previous export\n")
    returncode, stderr = interrupt_mid_export("slowrun000000001", "run.jsonl", signal.SIGINT, tmp_path)
    assert returncode == 130
    assert stderr.strip() == "interrupted" and "Traceback" not in stderr
    assert (tmp_path / "run.jsonl").read_text() == "previous export\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.jsonl"]


# --- runs -----------------------------------------------------------------------------------------------------------


def test_runs_follows_pages_sends_the_filters_and_stops_at_the_limit(server: ScriptedServer) -> None:
    first, middle = (json.loads((RUN_PAGES / n).read_text()) for n in ("list-first-page.json", "list-middle-page.json"))
    server.api.script(page("list-first-page.json"), page("list-middle-page.json"), page("list-last-page-empty.json"))
    process = cli(
        server.base_url,
        "runs",
        "Prj7Qa",
        "--branch",
        "main",
        "--branch",
        "feat/x",
        "--status",
        "FAILED",
        "--status",
        "PASSED",
        "--tag-operator",
        "OR",
        "--limit",
        "0",
    )
    assert process.returncode == 0, process.stderr
    ids = [json.loads(line)["runId"] for line in process.stdout.splitlines()]
    assert ids == [item["runId"] for item in first["data"] + middle["data"]]
    assert server.api.received[0].raw_path == "/v1/projects/Prj7Qa/runs"
    query = server.api.received[0].query
    assert "branches%5B%5D=main&branches%5B%5D=feat%2Fx" in query
    assert "status=FAILED&status=PASSED" in query and "tag_operator=OR" in query and "limit=50" in query
    assert f"starting_after={first['data'][-1]['cursor']}" in server.api.received[1].query

    server.api.script(page("list-first-page.json"), page("list-middle-page.json"))
    limited = cli(server.base_url, "runs", "Prj7Qa", "--limit", "1")
    assert len(limited.stdout.splitlines()) == 1 and len(server.api.received) == 1
    assert "limit=1" in server.api.received[0].query


def test_runs_on_a_terminal_prints_a_table_of_every_page(server: ScriptedServer, tmp_path: Path) -> None:
    server.api.script(page("list-first-page.json"), page("list-middle-page.json"), page("list-last-page-empty.json"))
    status, output = cli_on_terminal(server.base_url, "runs", "Prj7Qa", "--limit", "0", cwd=tmp_path)
    assert status == 0, output
    assert "runs of project Prj7Qa (4)" in output and "┃ run" in output and "IN_PROGRESS" in output
