"""`currents-api` on a real terminal: server text printed literally, and the columns people copy never cut."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from currents_api_client import iter_tests, strip_ansi
from currents_api_client.models import InstanceResponse

from tests.client.conftest import ScriptedServer
from tests.client.scripted_api import Reply
from tests.lib.cli_support import (
    RUN_PAGES,
    cli,
    cli_on_pty,
)
from tests.lib.test_records import FIXTURES

pytestmark = pytest.mark.slow  # the end-to-end tier: `make test-e2e`

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
    long_spec = "cypress/e2e/checkout/payments/three-d-secure-challenge-with-wallets.cy.ts"
    instances = []
    for number, spec in enumerate((long_spec, "cypress/e2e/a-first.cy.ts")):
        instance = json.loads((FIXTURES / "cypress-retries.json").read_text())
        instance["data"].update(spec=spec, instanceId=f"instance-{number}")
        instances.append(instance)
    specs = run_body["data"]["specs"][:2]
    for spec, instance in zip(specs, instances, strict=True):
        spec.update(instanceId=instance["data"]["instanceId"], spec=instance["data"]["spec"])
    tests_per_instance = len(list(iter_tests(InstanceResponse.from_dict(instances[0]).data)))
    tables = []
    for order in ((0, 1), (1, 0)):  # the instances arrive in one order, then in the other
        run_body["data"]["specs"] = [specs[i] for i in order]
        server.api.script(Reply(200, run_body), *(Reply(200, instances[i]) for i in order))
        status, raw = cli_on_pty(server.base_url, "run", "R", "--concurrency", "1", cwd=tmp_path, columns=120)
        plain = strip_ansi(raw.decode())
        assert status == 0, plain
        rows = [line for line in plain.splitlines() if line.startswith("│")]
        assert sum(long_spec in row for row in rows) == tests_per_instance
        tables.append(rows)
    assert tables[0] == tables[1] and len(tables[0]) >= 2 * tests_per_instance
