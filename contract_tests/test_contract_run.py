"""`make contract` end to end: against the mock by default, and in live mode against the mock posing as the real API."""

from __future__ import annotations

import html
import json
import socket
from pathlib import Path

import pytest

from contract_tests.conftest import ECHOED_KEY, demo_key
from scripts.fixtures import load_fixtures
from tests.support import RunScript, assert_one_line_error, free_port

DRIFTING = [f for f in load_fixtures() if f.unknown_fields]
CLEAN = [f for f in load_fixtures() if not f.unknown_fields]
MOCK_MODE = {"CURRENTS_API_KEY": "", "CURRENTS_INSTANCE_IDS": "", "CURRENTS_API_URL": ""}


def outputs(project: Path, process_text: str) -> str:
    """Everything a run printed or wrote under reports/."""
    reports = [p.read_text(errors="replace") for p in (project / "reports").rglob("*") if p.is_file()]
    return process_text + "\n".join(reports)


@pytest.mark.slow
def test_mock_mode_passes_without_a_key_and_writes_the_reports(project_copy: Path, run_script: RunScript) -> None:
    process = run_script("contract", cwd=project_copy, env={**MOCK_MODE, "MOCK_PORT": ""})
    assert process.returncode == 0, process.stdout[-3000:] + process.stderr[-3000:]
    assert "No issues found" in process.stdout  # schemathesis's own summary
    # Until the mock serves every operation, the run says which ones it left out.
    assert "contract: checking getInstance only: the mock does not serve 12 operation(s) yet" in process.stdout
    assert "Examples" in process.stdout and "Coverage" in process.stdout and "Fuzzing" in process.stdout
    reports = project_copy / "reports"
    assert (reports / "junit.xml").is_file() and (reports / "html" / "index.html").is_file()
    drift = json.loads((reports / "drift.json").read_text())
    assert drift["mode"] == "mock" and drift["responses"] == len(load_fixtures()) + 2
    assert {f["path"] for f in drift["fields"]} == {p for f in DRIFTING for p in f.unknown_fields}
    assert demo_key() not in outputs(project_copy, process.stdout + process.stderr)


# Methods that never change data (RFC 9110 section 9.2.1, and QUERY). schemathesis's coverage phase sends every
# method the spec does not list to check for 405; against the real API that would be DELETE /runs/{a real id}.
SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE", "QUERY"}


@pytest.mark.slow
def test_live_mode_checks_the_named_instances_and_warns_of_drift_and_sends_only_safe_methods(
    project_copy: Path, run_script: RunScript, method_recording_api: tuple[str, list[str]]
) -> None:
    mock_api, methods = method_recording_api
    ids = [DRIFTING[0].instance_id, CLEAN[0].instance_id]
    live = {"CURRENTS_API_KEY": demo_key(), "CURRENTS_API_URL": mock_api, "CURRENTS_INSTANCE_IDS": ",".join(ids)}

    process = run_script("contract", cwd=project_copy, env=live)

    assert process.returncode == 0, process.stdout[-3000:] + process.stderr[-3000:]
    assert "GET" in methods and set(methods) <= SAFE_METHODS, sorted(set(methods) - SAFE_METHODS)
    assert f"--url {mock_api}" in process.stdout and "mock API on" not in process.stdout
    for path in DRIFTING[0].unknown_fields:
        assert f"  {path}" in process.stdout and "in 1 of 2" in process.stdout
    assert "against the live API" in process.stdout
    assert demo_key() not in outputs(project_copy, process.stdout + process.stderr)

    strict = run_script("contract", cwd=project_copy, env={**live, "CONTRACT_STRICT": "1"})
    assert strict.returncode == 1
    assert "CONTRACT_STRICT=1: drift fails" in strict.stdout


def key_forms(key: str) -> set[str]:
    """The key as a terminal, JSON, HTML, XML or a Python bytes repr would show it."""
    escaped = json.dumps(key)[1:-1]
    as_repr = {repr(text.encode())[2:-1] for text in (key, escaped)}
    return {key, escaped, *as_repr, html.escape(key), html.escape(escaped), html.escape(key, quote=False)}


@pytest.mark.slow
def test_live_mode_scrubs_a_key_the_server_echoes_from_output_and_every_report(
    project_copy: Path, run_script: RunScript, echoing_api: str
) -> None:
    ids = [CLEAN[0].instance_id, "no-such-instance"]
    live = {"CURRENTS_API_KEY": ECHOED_KEY, "CURRENTS_API_URL": echoing_api, "CURRENTS_INSTANCE_IDS": ",".join(ids)}

    process = run_script("contract", cwd=project_copy, env=live)

    assert process.returncode == 1  # the echoed error bodies break the spec; schemathesis shows them
    assert "you sent Bearer REDACTED" in process.stdout  # schemathesis's failure output, scrubbed
    assert "$.data.echoedAuthorization" in process.stdout  # drift, with its example value scrubbed
    reports = project_copy / "reports"
    assert "REDACTED" in (reports / "junit.xml").read_text()
    assert "REDACTED" in (reports / "html" / "index.html").read_text()
    assert "REDACTED" in (reports / "drift.json").read_text()
    everything = outputs(project_copy, process.stdout + process.stderr)
    assert not [form for form in key_forms(ECHOED_KEY) if form in everything]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"CURRENTS_API_KEY": "wrong-key", "CURRENTS_INSTANCE_IDS": "2tniK8lM9j1rSoVh"}, "the API key was refused"),
        ({"CURRENTS_API_KEY": "any-key", "CURRENTS_INSTANCE_IDS": " , "}, "live mode needs CURRENTS_INSTANCE_IDS"),
        ({"CURRENTS_API_KEY": "k3y", "CURRENTS_INSTANCE_IDS": "2tniK8lM9j1rSoVh"}, "CURRENTS_API_KEY"),
        ({"CURRENTS_API_KEY": "clé-0123456789", "CURRENTS_INSTANCE_IDS": "2tniK8lM9j1rSoVh"}, "CURRENTS_API_KEY"),
    ],
    ids=["refused key", "no instance ids", "key too short for the client", "key a header cannot carry"],
)
def test_live_mode_input_problems_are_one_line(
    project_copy: Path, run_script: RunScript, mock_api: str, env: dict[str, str], message: str
) -> None:
    process = run_script("contract", cwd=project_copy, env={**env, "CURRENTS_API_URL": mock_api})
    assert_one_line_error(process, message)
    assert env["CURRENTS_API_KEY"] not in process.stdout + process.stderr


@pytest.mark.parametrize(
    "env",
    [
        {"CURRENTS_API_KEY": "", "CURRENTS_INSTANCE_IDS": "2tniK8lM9j1rSoVh"},
        {"CURRENTS_API_KEY": " ", "CURRENTS_API_URL": "https://api.currents.dev/v1"},
        {"CURRENTS_API_KEY": "", "CURRENTS_INSTANCE_IDS": "a,b", "CURRENTS_API_URL": "https://api.currents.dev/v1"},
    ],
    ids=["ids-without-key", "url-with-blank-key", "both-without-key"],
)
def test_live_mode_variables_without_a_key_never_fall_back_to_the_mock(
    project_copy: Path, run_script: RunScript, env: dict[str, str]
) -> None:
    process = run_script("contract", cwd=project_copy, env={**MOCK_MODE, **env})
    assert_one_line_error(process, "CURRENTS_API_KEY is empty or missing")
    assert "mock API on" not in process.stdout
    assert not (project_copy / "reports").exists()


@pytest.mark.slow
def test_a_response_that_breaks_the_spec_fails_the_run_and_the_mock_stops(
    project_copy: Path, run_script: RunScript
) -> None:
    fixture = project_copy / "contract_tests" / "fixtures" / CLEAN[0].path.name
    body = json.loads(fixture.read_text())
    body["data"]["createdAt"] = "not a date"
    fixture.write_text(json.dumps(body))
    port = free_port()

    process = run_script("contract", cwd=project_copy, env={**MOCK_MODE, "MOCK_PORT": str(port)})

    assert process.returncode == 1
    assert "Response violates schema" in process.stdout
    assert "contract: FAILED against the mock API" in process.stdout
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
