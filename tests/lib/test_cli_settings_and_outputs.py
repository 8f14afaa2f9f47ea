"""`currents-api`: finding the way in, values and outputs checked before any request, warnings, export targets and
signals."""

from __future__ import annotations

import json
import os
import signal
import warnings
from pathlib import Path

import pytest
from junitparser import JUnitXml

from contract_tests.mock_api.generated_run import GeneratedRun
from tests.client.conftest import ScriptedServer
from tests.client.scripted_api import Reply
from tests.lib.cli_support import (
    PW_V2,
    assert_one_error_line,
    cli,
    cli_on_terminal,
    interrupt_mid_export,
    page,
)
from tests.lib.hostile_host import serve_host
from tests.lib.test_records import FIXTURES

pytestmark = pytest.mark.slow  # the end-to-end tier: `make test-e2e`

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
    (tmp_path / "run.csv").write_text("previous export\n")
    returncode, stderr = interrupt_mid_export("slowrun000000002", "run.csv", signal.SIGTERM, tmp_path)
    assert returncode == 143, stderr
    assert stderr.strip() == "terminated" and "Traceback" not in stderr
    assert (tmp_path / "run.csv").read_text() == "previous export\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.csv"]


def test_bad_and_slow_artifacts_are_reported_the_others_downloaded_and_the_exit_is_1(
    server: ScriptedServer, tmp_path: Path
) -> None:
    run_body = json.loads((FIXTURES / "runs" / "get-cypress-complete-passed.json").read_text())
    instance = json.loads((FIXTURES / "cypress-retries.json").read_text())
    run_body["data"]["specs"] = run_body["data"]["specs"][:1]
    run_body["data"]["specs"][0]["instanceId"] = instance["data"]["instanceId"]
    with serve_host() as host:
        urls = [f"{host}/one.png", "http://[::1/broken.png", f"{host}/drip", f"{host}/two.png", f"{host}/three.png"]
        for shot, url in zip(instance["data"]["results"]["screenshots"], urls, strict=True):
            shot["screenshotURL"] = url
        instance["data"]["results"]["videoUrl"] = f"{host}/video.mp4"
        assert "fs.currents.dev" not in json.dumps(instance)  # every artifact is on loopback
        server.api.script(Reply(200, run_body), Reply(200, instance))
        process = cli(
            server.base_url,
            "run",
            "R",
            "--artifacts",
            "out",
            "--artifact-timeout",
            "1",
            "--concurrency",
            "1",
            cwd=tmp_path,
        )
    assert process.returncode == 1 and "Traceback" not in process.stderr
    folder = f"out/{instance['data']['instanceId']}"
    assert sorted(process.stderr.splitlines()) == [
        f"error: artifact {folder}/drip: cut: not complete within the deadline of 1 s",
        f"error: artifact {folder}/screenshot: malformed URL, not requested",  # named for its kind: no path
    ]
    downloaded = sorted(p.name for p in (tmp_path / folder).iterdir())
    assert downloaded == ["one.png", "three.png", "two.png", "video.mp4"]
