"""`make record`: a live instance becomes a redacted fixture that then validates or shows its drift."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from contract_tests.conftest import demo_key
from scripts.fixtures import load_fixtures, load_operation_fixtures
from scripts.record import redact
from tests.support import RunScript, assert_one_line_error


def test_redaction_hides_signatures_emails_authors_and_commit_messages() -> None:
    body = {
        "commit": {
            "authorName": "Ada Lovelace",
            "authorEmail": "ada@example.org",
            "message": "fix: secret project",
            "ghaEventData": {"prTitle": "secret", "senderHtmlUrl": "https://github.com/ada"},
        },
        "results": {
            "videoUrl": "https://fs.currents.dev/a/b.mp4?Expires=1&Key-Pair-Id=K1&Signature=abc~def",
            "stdout": "contact bob@corp.io, see https://x.r2.dev/o?X-Amz-Credential=c&X-Amz-Signature=s&a=1",
            "tests": [{"message": "a test's own message stays"}],
        },
    }
    redacted = json.dumps(redact(body))
    for secret in (
        "Ada Lovelace",
        "ada@example.org",
        "fix: secret project",
        '"secret"',
        "github.com/ada",
        "abc~def",
        "bob@corp.io",
        "X-Amz-Credential=c",
        "X-Amz-Signature=s",
        "Key-Pair-Id=K1&",
    ):
        assert secret not in redacted, secret
    assert "Signature=REDACTED" in redacted and "Expires=1" in redacted and "a=1" in redacted
    assert "a test's own message stays" in redacted


def test_recording_from_the_api_saves_a_redacted_fixture_that_validates(
    project_copy: Path, run_script: RunScript, mock_api: str
) -> None:
    source = next(f for f in load_fixtures() if f.name == "playwright-v2-new-fields")
    env = {"CURRENTS_API_KEY": demo_key(), "CURRENTS_API_URL": mock_api}

    process = run_script("record", source.instance_id, "--name", "recorded-pw", cwd=project_copy, env=env)

    assert process.returncode == 0, process.stderr
    saved = project_copy / "contract_tests" / "fixtures" / "recorded-pw.json"
    text = saved.read_text()
    assert "@example.com" not in text.replace("redacted@example.com", "")
    assert "Signature=REDACTED" in text or "X-Amz-Signature=REDACTED" in text
    assert source.body["data"]["commit"]["message"] not in text
    entry = yaml.safe_load((project_copy / "contract_tests/fixtures/index.yaml").read_text())["fixtures"][-1]
    assert entry["file"] == "recorded-pw.json" and entry["variant"] == "PlaywrightInstance"
    assert entry["unknown_fields"] == sorted(source.unknown_fields)
    for path in source.unknown_fields:
        assert f"record: drift: {path} is not in the spec" in process.stdout
    assert demo_key() not in process.stdout + process.stderr + text


def test_recording_never_overwrites_and_needs_a_key(project_copy: Path, run_script: RunScript, mock_api: str) -> None:
    env = {"CURRENTS_API_KEY": demo_key(), "CURRENTS_API_URL": mock_api}
    first = run_script("record", "2tniK8lM9j1rSoVh", cwd=project_copy, env=env)
    assert first.returncode == 0, first.stderr
    assert_one_line_error(run_script("record", "2tniK8lM9j1rSoVh", cwd=project_copy, env=env), "exists already")
    assert_one_line_error(run_script("record", "x", cwd=project_copy, env={"CURRENTS_API_KEY": ""}), "CURRENTS_API_KEY")
    assert_one_line_error(run_script("record", "missing-id", cwd=project_copy, env=env), "answered 404")


def test_a_recorded_fixture_passes_check_spec(project_copy: Path, run_script: RunScript, mock_api: str) -> None:
    env = {"CURRENTS_API_KEY": demo_key(), "CURRENTS_API_URL": mock_api}
    assert run_script("record", "bf89e79f-af2a-43cb-afba-2575e567f103", cwd=project_copy, env=env).returncode == 0
    check = run_script("check_spec", cwd=project_copy)
    assert check.returncode == 0, check.stderr
    recorded_and_committed = len(load_fixtures()) + 1 + len(load_operation_fixtures())
    assert f"{recorded_and_committed} fixtures validate" in check.stdout
