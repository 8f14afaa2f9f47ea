"""`currents-api actions` and `webhooks`: their life cycles over the console script against the mock, the output
rules (JSON Lines piped, tables on a terminal), webhook headers never printed, and bad files refused."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from currents_api_client import AuthenticatedClient
from currents_api_client.api.webhooks import get_webhook

from contract_tests.conftest import demo_key
from contract_tests.mock_api.app import create_app
from contract_tests.mock_api.keys import load_keys
from contract_tests.mock_api.server import serve_in_thread
from tests.client.conftest import ScriptedServer
from tests.client.scripted_api import Reply
from tests.lib.cli_support import assert_one_error_line, cli, cli_on_terminal

pytestmark = pytest.mark.slow  # the end-to-end tier: `make test-e2e`

PROJECT = "DgTfZV"  # a project of the mock's world
SECRET = "Bearer hook-secret-7f3a9c"

ACTION_YAML = """\
name: Quarantine the [bold]flaky[/bold] checkout test
description: Fails one run in ten.
action:
  - op: quarantine
  - op: tag
    details: {tags: [flaky, checkout]}
matcher:
  op: AND
  cond:
    - {type: titlePath, op: incAll, value: [checkout.spec.ts, pays by card]}
    - {type: git_branch, op: neq, value: main}
expiresAfter: 2099-04-30T00:00:00Z
"""

WEBHOOK_YAML = f"""\
url: https://hooks.example.com/cli-test
hookEvents: [RUN_FINISH, RUN_TIMEOUT]
label: CLI bot
headers: {{Authorization: "{SECRET}"}}
"""


@pytest.fixture(scope="module")
def settings_mock() -> Iterator[str]:
    with serve_in_thread(create_app()) as url:
        yield url


def _lines(stdout: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in stdout.splitlines()]


def _one(process: object) -> dict[str, object]:
    assert getattr(process, "returncode", None) == 0, getattr(process, "stderr", "")
    (body,) = _lines(getattr(process, "stdout", ""))
    return body


def test_an_action_created_from_yaml_lives_through_disable_enable_and_archive(
    settings_mock: str, tmp_path: Path
) -> None:
    action_file = tmp_path / "quarantine.yaml"
    action_file.write_text(ACTION_YAML)
    created = _one(cli(settings_mock, "actions", "create", PROJECT, str(action_file)))
    action_id = str(created["actionId"])
    assert created["status"] == "active" and str(created["expiresAfter"]).startswith("2099-04-30T00:00:00")
    assert created["action"] == [{"op": "quarantine"}, {"op": "tag", "details": {"tags": ["flaky", "checkout"]}}]

    listed = cli(settings_mock, "actions", "list", PROJECT, "--status", "ACTIVE")
    assert listed.returncode == 0, listed.stderr
    assert action_id in [line["actionId"] for line in _lines(listed.stdout)]
    assert all(line["status"] == "active" for line in _lines(listed.stdout))

    status, table = cli_on_terminal(settings_mock, "actions", "show", action_id, cwd=tmp_path)
    assert status == 0, table
    assert f"action {action_id}" in table and "[bold]flaky[/bold]" in table  # server text printed literally
    assert "quarantine; tag: flaky, checkout" in table and "titlePath incAll checkout.spec.ts, pays by card" in table

    assert _one(cli(settings_mock, "actions", "disable", action_id))["status"] == "disabled"
    status, line = cli_on_terminal(settings_mock, "actions", "enable", action_id, cwd=tmp_path)
    assert status == 0 and line.strip().splitlines() == [f"enabled action {action_id} ({created['name']}): now active"]
    assert _one(cli(settings_mock, "actions", "archive", action_id)) == {"actionId": action_id, "archived": True}
    assert _one(cli(settings_mock, "actions", "show", action_id))["status"] == "archived"


def test_actions_list_on_a_terminal_is_a_table(settings_mock: str, tmp_path: Path) -> None:
    status, table = cli_on_terminal(settings_mock, "actions", "list", PROJECT, cwd=tmp_path)
    assert status == 0, table
    assert f"actions of project {PROJECT} (" in table
    assert "Quarantine the flaky login test" in table and "title eq logs in" in table and "disabled" in table
    assert "OR git_branch eq release/2026.1" in table and "\\x0a" not in table  # one condition a line


def test_a_webhook_lives_until_deleted_and_its_headers_are_never_printed(settings_mock: str, tmp_path: Path) -> None:
    hook_file = tmp_path / "hook.yml"
    hook_file.write_text(WEBHOOK_YAML)
    create = cli(settings_mock, "webhooks", "create", PROJECT, str(hook_file))
    created = _one(create)
    hook_id = str(created["hookId"])
    assert created["headers"] == "REDACTED" and created["hookEvents"] == ["RUN_FINISH", "RUN_TIMEOUT"]
    with AuthenticatedClient(base_url=settings_mock, token=demo_key()) as client:  # the secret did reach the API
        stored = get_webhook.sync(uuid.UUID(hook_id), client=client).data
    assert stored.headers is not None and json.loads(stored.headers) == {"Authorization": SECRET}

    listed = cli(settings_mock, "webhooks", "list", PROJECT)
    assert listed.returncode == 0, listed.stderr
    mine = [line for line in _lines(listed.stdout) if line["hookId"] == hook_id]
    assert mine == [created]
    status, table = cli_on_terminal(settings_mock, "webhooks", "show", hook_id, cwd=tmp_path)
    assert status == 0 and f"webhook {hook_id}" in table and "set (not shown)" in table, table
    status, line = cli_on_terminal(settings_mock, "webhooks", "delete", hook_id, cwd=tmp_path)
    assert status == 0 and line.strip().splitlines() == [f"deleted webhook {hook_id} of project {PROJECT}"]
    for output in (create.stdout, create.stderr, listed.stdout, listed.stderr, table):
        assert "hook-secret" not in output

    assert_one_error_line(cli(settings_mock, "webhooks", "show", hook_id), 1, "404")


def test_a_refused_write_is_one_line_with_the_servers_message(settings_mock: str, tmp_path: Path) -> None:
    read_only = next(key.value for key in load_keys().keys if "write" not in key.scopes)
    seeded = _one(cli(settings_mock, "actions", "list", PROJECT, "--search", "login"))
    refused = cli(settings_mock, "actions", "archive", str(seeded["actionId"]), key=read_only)
    assert_one_error_line(refused, 1, "403")
    assert _one(cli(settings_mock, "actions", "show", str(seeded["actionId"])))["status"] == "active"

    too_many = tmp_path / "tags.json"
    body = {
        "name": "eleven tags",
        "action": [{"op": "tag", "details": {"tags": [f"t{n}" for n in range(11)]}}],
        "matcher": {"op": "OR", "cond": [{"type": "tag", "op": "eq", "value": "a"}]},
    }
    too_many.write_text(json.dumps(body))
    assert_one_error_line(cli(settings_mock, "actions", "create", PROJECT, str(too_many)), 1, "at most 10")


@pytest.mark.parametrize(
    ("name", "text", "verb", "fragment"),
    [
        ("absent.yaml", None, "actions", "absent.yaml: no such file"),
        ("broken.yaml", "name: [unclosed\n", "actions", "broken.yaml: not JSON or YAML"),
        ("broken.json", '{"name": ', "actions", "broken.json: not JSON"),
        ("list.yaml", "- op: skip\n", "actions", "list.yaml: expected a mapping of the body's fields at the top"),
        ("no-matcher.yaml", "name: x\naction: [{op: skip}]\n", "actions", "no-matcher.yaml: missing required field"),
        ("hook.yaml", f"url: https://h.example\nheaders: [{SECRET}]\n", "webhooks", "hook.yaml: headers: expected"),
    ],
)
def test_a_bad_file_is_one_line_naming_it_before_any_request(
    server: ScriptedServer, tmp_path: Path, name: str, text: str | None, verb: str, fragment: str
) -> None:
    if text is not None:
        (tmp_path / name).write_text(text)
    before = len(server.api.received)
    process = cli(server.base_url, verb, "create", PROJECT, name, cwd=tmp_path)
    assert_one_error_line(process, 2, fragment)
    assert "hook-secret" not in process.stderr
    assert len(server.api.received) == before


def test_a_hook_id_that_is_not_a_uuid_is_a_usage_error(server: ScriptedServer) -> None:
    before = len(server.api.received)
    assert_one_error_line(cli(server.base_url, "webhooks", "show", "not-a-uuid"), 2, "HOOK_ID 'not-a-uuid'")
    assert len(server.api.received) == before


def test_a_refusal_that_echoes_the_headers_is_printed_with_them_redacted(
    server: ScriptedServer, tmp_path: Path
) -> None:
    (tmp_path / "hook.yaml").write_text(WEBHOOK_YAML)
    server.api.script(Reply(400, {"status": "FAILED", "error": f"headers: Authorization {SECRET} is refused"}))
    process = cli(server.base_url, "webhooks", "create", PROJECT, "hook.yaml", cwd=tmp_path)
    assert_one_error_line(process, 1, "headers: Authorization REDACTED is refused")
    assert "hook-secret" not in process.stderr + process.stdout


def test_the_help_shows_the_file_shapes_and_says_headers_are_never_printed(server: ScriptedServer) -> None:
    webhooks = " ".join(cli(server.base_url, "webhooks", "--help").stdout.split())
    assert "headers are never printed" in webhooks and '"headers": "REDACTED"' in webhooks
    actions = " ".join(cli(server.base_url, "actions", "--help").stdout.split())
    assert "matcher: {op: AND" in actions and "archive" in actions
