"""`make contract` end to end: against the mock by default, and in live mode against the mock posing as the real API."""

from __future__ import annotations

import html
import json
import re
import socket
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

import pytest

from contract_tests.conftest import ECHOED_KEY, demo_key
from contract_tests.mock_api.app import MockApi, create_app
from contract_tests.mock_api.server import serve_in_thread
from kit.fixtures import load_fixtures
from scripts.contract.registry import is_write, operations
from scripts.contract.settings import CONTRACT_NAME
from tests.support import RunScript, assert_one_line_error, free_port

pytestmark = pytest.mark.slow  # the end-to-end tier: `make test-e2e`

DRIFTING = [f for f in load_fixtures() if f.unknown_fields]
CLEAN = [f for f in load_fixtures() if not f.unknown_fields]
MOCK_MODE = {
    "CURRENTS_API_KEY": "",
    "CURRENTS_INSTANCE_IDS": "",
    "CURRENTS_PROJECT_IDS": "",
    "CURRENTS_API_URL": "",
    "CURRENTS_WRITE_PROJECT_ID": "",
}


def outputs(project: Path, process_text: str) -> str:
    """Everything a run printed or wrote under reports/."""
    reports = [p.read_text(errors="replace") for p in (project / "reports").rglob("*") if p.is_file()]
    return process_text + "\n".join(reports)


# Few examples per operation: these tests prove the pipeline, not the API (make contract runs more).
QUICK = {"CONTRACT_MAX_EXAMPLES": "3"}
# Live mode against the mock: the number of examples bounds the runs. The rate and the time budget that live mode
# always applies are set far beyond what those examples take, so neither the clock nor the machine's load ends a
# run early (on a busy machine a time budget of seconds let schemathesis send nothing).
NEVER_REACHED_SECONDS = "3600"
LIVE_BUDGET = {**QUICK, "CONTRACT_RATE_LIMIT": "1000", "CONTRACT_MAX_TIME": NEVER_REACHED_SECONDS}
# The live-mode tests prove what live mode sends, reads and shows, which the examples phase alone exercises
# (every operation, with the discovered ids); the mock-mode run below runs every phase.
LIVE_QUICK = {**LIVE_BUDGET, "CONTRACT_PHASES": "examples"}
GENERATED_DOCUMENT = json.loads((Path(__file__).resolve().parent.parent / "generated" / "openapi.json").read_text())
OPERATIONS = {op["operationId"] for _, _, op in operations(GENERATED_DOCUMENT)}
WRITE_OPERATIONS = {op["operationId"] for _, method, op in operations(GENERATED_DOCUMENT) if is_write(method, op)}


@pytest.fixture
def live_mock() -> Iterator[tuple[str, MockApi]]:
    """A mock of this test's own posing as the real API; its journal says what it received."""
    app = create_app()
    with serve_in_thread(app) as base_url:
        yield base_url, app
    assert not app.journal.faults, app.journal.faults


@pytest.mark.slow
def test_mock_mode_passes_without_a_key_and_writes_the_reports(project_copy: Path, run_script: RunScript) -> None:
    process = run_script("contract", cwd=project_copy, env={**QUICK, **MOCK_MODE, "MOCK_PORT": ""})
    assert process.returncode == 0, process.stdout[-3000:] + process.stderr[-3000:]
    assert "schemathesis exit 0" in process.stdout
    for phase in ("Examples", "Coverage", "Fuzzing", "Stateful"):
        assert f"✅ {phase}" in process.stdout, phase
    reports = project_copy / "reports"
    assert (reports / "junit.xml").is_file() and (reports / "html" / "index.html").is_file()
    for junit in ("junit.xml", "junit-stateful.xml"):  # both runs, with not one failure or error
        suites = ElementTree.parse(reports / junit).getroot()
        assert int(suites.get("tests", "0")) > 0
        assert suites.get("failures") == "0" and suites.get("errors") == "0"
    drift = json.loads((reports / "drift.json").read_text())
    assert drift["mode"] == "mock" and set(drift["operations"]) == OPERATIONS
    assert {f["path"] for f in drift["fields"]} == {p for f in DRIFTING for p in f.unknown_fields}
    assert all(f["operations"] == ["getInstance"] for f in drift["fields"])  # the operation that returned each
    examples = {f["path"]: f["example"] for f in drift["fields"]}
    assert examples["$.data.results.tests[*].isFlaky"] is True  # a JSON value, not the string "True"
    assert not [e for e in examples.values() if isinstance(e, str) and e in ("None", "True", "False")]
    # A passing run reads as passed: no uvicorn warning, report paths in reports/, no repeated skipped phases.
    assert "Invalid HTTP request received" not in process.stdout + process.stderr
    shown = re.findall(r"^  - \w+: (.+)$", process.stdout, flags=re.MULTILINE)
    assert shown and all(path.startswith("reports/") or path.startswith("not kept") for path in shown), shown
    page = (reports / "summary.md").read_text()
    assert "skip (disabled)" not in page and " 1 tests" not in page
    assert demo_key() not in outputs(project_copy, process.stdout + process.stderr)


@pytest.mark.slow
def test_live_mode_never_writes_and_discovers_its_ids(
    project_copy: Path, run_script: RunScript, live_mock: tuple[str, MockApi]
) -> None:
    base_url, app = live_mock
    live = {**LIVE_QUICK, "CURRENTS_API_KEY": demo_key(), "CURRENTS_API_URL": base_url, "CURRENTS_INSTANCE_IDS": ""}

    process = run_script("contract", cwd=project_copy, env=live)

    assert process.returncode == 0, process.stdout[-3000:] + process.stderr[-3000:]
    assert app.journal.writes() == [], "live mode sent a write"
    assert f"read-only: {', '.join(sorted(WRITE_OPERATIONS))} left out" in process.stdout
    # Not one action or webhook changed, and webhook answers (their headers hold secrets) stayed out of the reports.
    assert not [e for e in app.journal.exchanges if e.operation[0] != "GET" and "/signature/" not in e.operation[1]]
    assert "Chat bot" not in (project_copy / "reports" / "junit.xml").read_text()
    discovered = {
        e.ids.get("instanceId") for e in app.journal.exchanges if e.operation[1] == "/v1/instances/{instanceId}"
    }
    assert discovered & set(app.backend.world.instances), "no instance was discovered and fetched"
    drift = json.loads((project_copy / "reports" / "drift.json").read_text())
    assert set(drift["operations"]) == OPERATIONS - WRITE_OPERATIONS
    sent = re.search(r"contract: (\d+) requests sent: (\d+) by schemathesis, (\d+) by discovery", process.stdout)
    assert sent is not None, process.stdout[-2000:]
    total, by_schemathesis, ours = map(int, sent.groups())
    assert total == by_schemathesis + ours and ours > 0 and by_schemathesis > 0
    assert total <= len(app.journal.methods) <= total + 10  # schemathesis's probes are not in its HAR report
    assert demo_key() not in outputs(project_copy, process.stdout + process.stderr)


@pytest.mark.slow
def test_live_mode_writes_only_when_allowed_and_only_in_the_project_set_aside(
    project_copy: Path, run_script: RunScript, live_mock: tuple[str, MockApi]
) -> None:
    base_url, app = live_mock
    owner = {run_id: run.project_id for run_id, run in app.backend.world.runs.items()}
    seeded_hooks = set(app.backend.world.webhooks)
    live = {
        **LIVE_QUICK,
        "CURRENTS_API_KEY": demo_key(),
        "CURRENTS_API_URL": base_url,
        "CONTRACT_ALLOW_WRITES": "1",
        "CURRENTS_WRITE_PROJECT_ID": "Prj9Zb",
    }

    process = run_script("contract", cwd=project_copy, env=live)

    assert process.returncode == 0, process.stdout[-3000:] + process.stderr[-3000:]
    assert "writes allowed in project Prj9Zb only" in process.stdout
    writes = [e for e in app.journal.exchanges if e.operation[0] in ("PUT", "DELETE")]
    assert any(e.status == 200 for e in writes), "no write reached a run"
    touched = {owner[e.ids["runId"]] for e in writes if e.ids.get("runId") in owner}
    assert touched == {"Prj9Zb"}
    # Actions and webhooks: only those the run created (all in Prj9Zb, all named as the contract's) were
    # changed, and none of them is left behind: actions archived, webhooks deleted.
    seeded = {action_id for action_id, (_, body) in app.backend.world.actions.items() if body["name"] != CONTRACT_NAME}
    changed = [
        e for e in app.journal.exchanges if e.operation[0] in ("PUT", "DELETE", "POST") and e.status in (200, 201)
    ]
    assert any("/actions" in e.operation[1] for e in changed), "no action was created"
    assert not [e for e in changed if e.ids.get("actionId") in seeded]
    assert not [e for e in changed if e.ids.get("hookId") in seeded_hooks]
    assert seeded_hooks <= set(app.backend.world.webhooks)
    assert all(
        project == "Prj9Zb" for project, body in app.backend.world.actions.values() if body["name"] == CONTRACT_NAME
    )
    left = [
        b for _, b in app.backend.world.actions.values() if b["name"] == CONTRACT_NAME and b["status"] != "archived"
    ]
    assert left == []
    assert [h for h in app.backend.world.webhooks.values() if h["label"] == CONTRACT_NAME] == []
    assert "cleaned up" in process.stdout


@pytest.mark.slow
def test_live_mode_checks_the_instance_ids_it_is_given_and_fails_on_drift_when_strict(
    project_copy: Path, run_script: RunScript, mock_api: str
) -> None:
    ids = [DRIFTING[0].instance_id, CLEAN[0].instance_id]
    live = {
        **LIVE_QUICK,
        "CURRENTS_API_KEY": demo_key(),
        "CURRENTS_API_URL": mock_api,
        "CURRENTS_INSTANCE_IDS": ",".join(ids),
        "CURRENTS_PROJECT_IDS": "Prj7Qa",
        "CONTRACT_STRICT": "1",
    }

    process = run_script("contract", cwd=project_copy, env=live)

    # Drift alone fails the run with CONTRACT_STRICT=1; without it, drift is a warning (see the mock-mode run).
    assert process.returncode == 1, process.stdout[-3000:] + process.stderr[-3000:]
    assert "CONTRACT_STRICT=1: drift fails" in process.stdout and "schemathesis exit 0" in process.stdout
    assert f"--url {mock_api}" in process.stdout and "mock API on" not in process.stdout
    for path in DRIFTING[0].unknown_fields:
        assert f"  {path}" in process.stdout
    assert "0 problem(s)" in process.stdout
    assert "against the live API" in process.stdout
    assert demo_key() not in outputs(project_copy, process.stdout + process.stderr)


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
    live = {
        **LIVE_QUICK,
        "CURRENTS_API_KEY": ECHOED_KEY,
        "CURRENTS_API_URL": echoing_api,
        "CURRENTS_INSTANCE_IDS": ",".join(ids),
    }

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
        ({"CURRENTS_API_KEY": "wrong-key"}, "the API key was refused"),
        ({"CURRENTS_API_KEY": "any-key", "CONTRACT_ALLOW_WRITES": "1"}, "CONTRACT_ALLOW_WRITES=1 needs"),
        ({"CURRENTS_API_KEY": "any-key", "CONTRACT_MAX_EXAMPLES": "many"}, "CONTRACT_MAX_EXAMPLES must be"),
        ({"CURRENTS_API_KEY": "any-key", "CONTRACT_PHASES": "examples,fuzz"}, "CONTRACT_PHASES must name phases"),
        ({"CURRENTS_API_KEY": "k3y"}, "CURRENTS_API_KEY"),
        ({"CURRENTS_API_KEY": "clé-0123456789"}, "CURRENTS_API_KEY"),
    ],
    ids=[
        "refused key",
        "writes without a project",
        "bad number",
        "unknown phase",
        "key too short for the client",
        "key a header cannot carry",
    ],
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

    process = run_script(
        "contract", cwd=project_copy, env={**QUICK, **MOCK_MODE, "MOCK_PORT": str(port), "CONTRACT_PHASES": "examples"}
    )

    assert process.returncode == 1
    assert "Response violates schema" in process.stdout
    assert "--phases examples (" in process.stdout and "--phases stateful" not in process.stdout  # those asked for
    assert "contract: FAILED against the mock API" in process.stdout
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
