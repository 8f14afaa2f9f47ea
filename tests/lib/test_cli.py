"""`currents-api`: the installed console script, run in a subprocess against the mock on loopback."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import signal
import struct
import subprocess
import sys
import termios
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from currents_api_client import iter_tests, strip_ansi
from currents_api_client.models import InstanceResponse
from junitparser import Failure, JUnitXml

from contract_tests.conftest import demo_key
from contract_tests.mock_api.app import create_app
from contract_tests.mock_api.artifacts import ArtifactSigner, serve_artifacts
from contract_tests.mock_api.generated_run import GeneratedRun, serve_generated_run
from contract_tests.mock_api.server import serve_in_thread
from tests.client.conftest import ScriptedServer
from tests.client.scripted_api import Reply, ScriptedAPI
from tests.lib.test_records import FIXTURES

SCRIPT = Path(sys.executable).with_name("currents-api")
PW_V2 = "7Hq2mXw9LpR4sTz1"
TIMEOUT = 120


def environment(base_url: str, key: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CURRENTS_")}
    env.update(CURRENTS_API_URL=base_url, CURRENTS_API_KEY=key or demo_key(), COLUMNS="160")
    return env


def cli(base_url: str, *args: str, key: str | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The console script with stdout and stderr piped."""
    return subprocess.run(
        [SCRIPT, *args], env=environment(base_url, key), cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT
    )


def cli_on_terminal(base_url: str, *args: str, cwd: Path) -> tuple[int, str]:
    """The console script on a pseudo-terminal (stdout and stderr both); its exit status and everything it wrote,
    without colours."""
    main, child = pty.openpty()
    process = subprocess.Popen(
        [SCRIPT, *args], env=environment(base_url), cwd=cwd, stdin=child, stdout=child, stderr=child
    )
    os.close(child)
    chunks = []
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(main)
    return process.wait(timeout=TIMEOUT), strip_ansi(b"".join(chunks).decode("utf-8", "replace"))


def assert_one_error_line(process: subprocess.CompletedProcess[str], status: int, *fragments: str) -> None:
    assert process.returncode == status, process.stderr
    assert "Traceback" not in process.stderr
    lines = process.stderr.strip().splitlines()
    assert len(lines) == 1, process.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


@pytest.fixture(scope="module")
def run() -> GeneratedRun:
    return GeneratedRun.build(6)


@pytest.fixture(scope="module")
def broken_run() -> GeneratedRun:
    return GeneratedRun.build(3, unclaimed=1, missing=1, run_id="brokenrun0000001")


@pytest.fixture(scope="module")
def signer() -> ArtifactSigner:
    return ArtifactSigner(ttl_seconds=600, stale_first_issue=True)


@pytest.fixture(scope="module")
def mock(run: GeneratedRun, broken_run: GeneratedRun, signer: ArtifactSigner) -> Iterator[str]:
    app = serve_generated_run(serve_generated_run(create_app(), run, [demo_key()]), broken_run, [demo_key()])
    with serve_in_thread(serve_artifacts(app, signer)) as url:
        yield url


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
    slow = GeneratedRun.build(40, run_id="slowrun000000001")
    app = serve_generated_run(create_app(), slow, [demo_key()], instance_delay=0.5)
    (tmp_path / "run.jsonl").write_text("previous export\n")
    with serve_in_thread(app) as url:
        process = subprocess.Popen(
            [SCRIPT, "run", slow.run_id, "--export", "run.jsonl", "--concurrency", "2"],
            env=environment(url),
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + TIMEOUT
        while slow.instance_requests < 3 and time.monotonic() < deadline:  # in the middle of the run
            time.sleep(0.05)
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=TIMEOUT)
    assert process.returncode == 130
    assert stderr.strip() == "interrupted" and "Traceback" not in stderr
    assert (tmp_path / "run.jsonl").read_text() == "previous export\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.jsonl"]


# --- runs -----------------------------------------------------------------------------------------------------------

RUN_PAGES = FIXTURES / "runs"


def page(name: str) -> Reply:
    return Reply(200, json.loads((RUN_PAGES / name).read_text()))


@pytest.fixture(scope="module")
def server() -> Iterator[ScriptedServer]:
    api = ScriptedAPI()
    with serve_in_thread(api) as url:
        yield ScriptedServer(api, url)


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


# --- server text on a real terminal ---------------------------------------------------------------------------------

HOSTILE = [
    "matches [/api] routes",
    "[link=http://evil.example/]Cart[/link]",
    "clears\x1b[2Jthe screen",
    "sets\x1b]0;owned\x07the title",
    "bad \ud800 surrogate",
]


def hostile_instance() -> dict[str, Any]:
    body: dict[str, Any] = json.loads((FIXTURES / "cypress-retries.json").read_text())
    tests = body["data"]["results"]["tests"]
    template = next(test for test in tests if test["state"] == "failed")
    tests[:] = [{**template, "testId": f"h{n}", "title": ["Hostile", title]} for n, title in enumerate(HOSTILE)]
    template["attempts"][-1]["error"]["message"] = HOSTILE[1]  # in the error column and the messages too
    body["data"]["spec"] = "cypress/e2e/[bold]spec[/bold].cy.js"
    return body


def cli_on_pty(base_url: str, *args: str, cwd: Path, columns: int = 160, key: str | None = None) -> tuple[int, bytes]:
    """The console script on a pseudo-terminal of `columns` columns; its exit status and the raw bytes it wrote."""
    main, child = pty.openpty()
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    env = {**environment(base_url, key), "COLUMNS": str(columns)}
    process = subprocess.Popen([SCRIPT, *args], env=env, cwd=cwd, stdin=child, stdout=child, stderr=child)
    os.close(child)
    chunks = []
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(main)
    return process.wait(timeout=TIMEOUT), b"".join(chunks)


def test_server_text_reaches_the_terminal_literally_never_as_markup_or_escapes(
    server: ScriptedServer, tmp_path: Path
) -> None:
    server.api.script(Reply(200, json.dumps(hostile_instance()).encode(), {"content-type": "application/json"}))
    status, raw = cli_on_pty(server.base_url, "instance", "c5d8f2a1", cwd=tmp_path, columns=200)
    text = raw.decode("utf-8", "replace")
    assert status == 0, text
    assert "Traceback" not in text and "MarkupError" not in text
    for escape in (b"\x1b[2J", b"\x1b]0;", b"\x1b]8;"):  # clear screen, window title, hyperlink
        assert escape not in raw
    plain = strip_ansi(text)
    assert "matches [/api] routes" in plain and "[link=http://evil.example/]Cart[/link]" in plain
    assert "clears\\x1b[2Jthe screen" in plain and "sets\\x1b]0;owned\\x07the title" in plain
    assert "bad \ufffd surrogate" in plain and "cypress/e2e/[bold]spec[/bold].cy.js" in plain


def test_server_text_piped_is_json_lines_with_the_surrogate_replaced(server: ScriptedServer) -> None:
    server.api.script(Reply(200, json.dumps(hostile_instance()).encode(), {"content-type": "application/json"}))
    process = cli(server.base_url, "instance", "c5d8f2a1")
    assert process.returncode == 0, process.stderr
    titles = [json.loads(line)["title"][1] for line in process.stdout.splitlines()]
    assert titles == [*HOSTILE[:-1], "bad \ufffd surrogate"]


def long_runs_page() -> dict[str, Any]:
    body: dict[str, Any] = json.loads((RUN_PAGES / "list-first-page.json").read_text())
    for number, item in enumerate(body["data"]):
        item["runId"] = f"93c0e5a7b1d24f68a0e9c3b5d7f1a2b{number}"
        item["tags"] = ["nightly-regression-suite", "chromium-and-webkit", "release-candidate-2026"]
        item.setdefault("meta", {}).setdefault("commit", {})["branch"] = "feature/checkout-flow-with-3ds-and-wallets"
    body["has_more"] = False
    return body


def test_runs_on_120_columns_never_cut_a_run_id(server: ScriptedServer, tmp_path: Path) -> None:
    page_ = long_runs_page()
    server.api.script(Reply(200, page_))
    status, raw = cli_on_pty(server.base_url, "runs", "Prj7Qa", cwd=tmp_path, columns=120)
    plain = strip_ansi(raw.decode())
    assert status == 0, plain
    assert max(len(line) for line in plain.splitlines()) <= 120
    for item in page_["data"]:
        assert item["runId"] in plain


def test_a_run_table_on_120_columns_never_splits_a_spec_name_and_is_in_the_same_order_each_time(
    server: ScriptedServer, tmp_path: Path
) -> None:
    run_body = json.loads((FIXTURES / "runs" / "get-cypress-complete-passed.json").read_text())
    instance = json.loads((FIXTURES / "cypress-retries.json").read_text())
    long_spec = "cypress/e2e/checkout/payments/three-d-secure-challenge-with-wallets.cy.ts"
    instance["data"]["spec"] = long_spec
    run_body["data"]["specs"] = run_body["data"]["specs"][:1]
    run_body["data"]["specs"][0].update(instanceId=instance["data"]["instanceId"], spec=long_spec)
    tables = []
    for _ in range(2):
        server.api.script(Reply(200, run_body), Reply(200, instance))
        status, raw = cli_on_pty(server.base_url, "run", "R", "--concurrency", "1", cwd=tmp_path, columns=120)
        plain = strip_ansi(raw.decode())
        assert status == 0, plain
        rows = [line for line in plain.splitlines() if line.startswith("│")]
        assert sum(long_spec in row for row in rows) == len(list(iter_tests(InstanceResponse.from_dict(instance).data)))
        tables.append(rows)
    assert tables[0] == tables[1]


# --- finding the way in ---------------------------------------------------------------------------------------------


def test_projects_lists_the_project_ids_piped_and_as_a_table(mock: str, tmp_path: Path) -> None:
    process = cli(mock, "projects")
    assert process.returncode == 0, process.stderr
    ids = [json.loads(line)["projectId"] for line in process.stdout.splitlines()]
    assert ids and all(ids)
    status, output = cli_on_terminal(mock, "projects", cwd=tmp_path)
    assert status == 0 and f"projects ({len(ids)})" in output and all(i in output for i in ids)


def test_version_and_help_say_what_a_new_user_needs(mock: str) -> None:
    from currents_api_client import __version__

    version = cli(mock, "--version")
    assert version.returncode == 0 and version.stdout.strip() == f"currents-api {__version__}"
    top = cli(mock, "--help").stdout
    assert "CURRENTS_API_KEY" in top and "CURRENTS_API_URL" in top
    assert "https://api.currents.dev/v1, the production API" in " ".join(top.split())
    assert "projects" in top
    run_help = " ".join(cli(mock, "run", "--help").stdout.split())
    assert "OWASP" in run_help and "--artifact-timeout" in run_help and "--artifact-max-bytes" in run_help
    assert "- standard output" in run_help


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["runs", "P", "--status", "BOGUS"], "--status 'BOGUS' is not one of PASSED, FAILED, RUNNING, FAILING"),
        (["runs", "P", "--completion-state", "DONE"], "--completion-state 'DONE' is not one of COMPLETE"),
        (["run", "R", "--artifact-timeout", "0"], "--artifact-timeout must be more than 0"),
        (["run", "R", "--artifact-max-bytes", "0"], "--artifact-max-bytes must be at least 1"),
        (["run", "R", "--export", "/sys/run.xml"], "--export /sys/run.xml: cannot write in /sys"),
        (["run", "R", "--artifacts", "/proc/arts"], "--artifacts /proc/arts: cannot create it"),
    ],
)
def test_bad_values_and_unwritable_outputs_are_refused_before_any_request(
    server: ScriptedServer, tmp_path: Path, args: list[str], fragment: str
) -> None:
    server.api.script(page("list-first-page.json"))
    assert_one_error_line(cli(server.base_url, *args, cwd=tmp_path), 2, fragment)
    assert server.api.received == []


def test_a_lower_case_status_is_sent_upper_case(server: ScriptedServer) -> None:
    server.api.script(page("list-last-page-empty.json"))
    assert cli(server.base_url, "runs", "P", "--status", "failed").returncode == 0
    assert "status=FAILED" in server.api.received[0].query


def test_a_key_shorter_than_8_characters_is_one_error_line_and_exit_2(mock: str) -> None:
    process = cli(mock, "instance", PW_V2, key="short")
    assert_one_error_line(process, 2, "error: CURRENTS_API_KEY: the API key is shorter than 8 characters")
    assert "short" not in process.stderr.replace("shorter", "")


@pytest.mark.parametrize("category", [UserWarning, DeprecationWarning, type("OddWarning", (Warning,), {})])
def test_any_warning_is_one_warning_line_on_stderr(
    category: type[Warning], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from currents_api_client.lib import cli as cli_module
    from currents_api_client.lib import cli_commands

    def warns(argv: list[str]) -> int:
        warnings.warn(f"key sent\nover plain http \x1b[2J ({category.__name__})", category, stacklevel=1)
        return 0

    monkeypatch.setattr(cli_commands, "dispatch", warns)
    assert cli_module.main(["projects"]) == 0
    assert capsys.readouterr().err == f"warning: key sent over plain http \\x1b[2J ({category.__name__})\n"


# --- export targets and signals -------------------------------------------------------------------------------------


def test_export_dash_writes_standard_output_and_messages_go_to_stderr(
    mock: str, run: GeneratedRun, tmp_path: Path
) -> None:
    process = cli(mock, "run", run.run_id, "--export", "-", cwd=tmp_path)
    assert process.returncode == 0, process.stderr
    records = [json.loads(line) for line in process.stdout.splitlines()]
    assert records and {r["run_id"] for r in records} == {run.run_id}
    assert (
        process.stderr.startswith(f"run {run.run_id}: wrote {len(records)} tests")
        and "standard output" in process.stderr
    )
    assert list(tmp_path.iterdir()) == []  # no file named "-"


def test_export_through_a_link_to_dev_stdout_writes_the_pipe_and_keeps_the_link(
    mock: str, run: GeneratedRun, tmp_path: Path
) -> None:
    link = tmp_path / "results.xml"
    link.symlink_to("/dev/stdout")  # the system's /dev/stdout is never the argument: a regression cannot replace it
    process = cli(mock, "run", run.run_id, "--export", str(link), cwd=tmp_path)
    assert process.returncode == 0, process.stderr
    assert JUnitXml.fromstring(process.stdout.encode()).tests > 0
    assert (
        link.is_symlink()
        and os.readlink(link) == "/dev/stdout"
        and [p.name for p in tmp_path.iterdir()] == ["results.xml"]
    )


def test_sigterm_mid_export_exits_143_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    slow = GeneratedRun.build(40, run_id="slowrun000000002")
    app = serve_generated_run(create_app(), slow, [demo_key()], instance_delay=0.5)
    (tmp_path / "run.csv").write_text("previous export\n")
    with serve_in_thread(app) as url:
        process = subprocess.Popen(
            [SCRIPT, "run", slow.run_id, "--export", "run.csv", "--concurrency", "2"],
            env=environment(url),
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + TIMEOUT
        while slow.instance_requests < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=TIMEOUT)
    assert process.returncode == 143, stderr
    assert stderr.strip() == "terminated" and "Traceback" not in stderr
    assert (tmp_path / "run.csv").read_text() == "previous export\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.csv"]
