"""`make record`: a live instance becomes a redacted fixture that then validates or shows its drift.

The mock serves every instance of the real corpus, so each recording test first removes the instance from its
copy of the project: recording it there is recording an instance the copy does not hold yet.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from contract_tests.conftest import ECHOED_KEY, demo_key
from contract_tests.mock_api.corpus import seed_bodies
from kit.bundle import bundle
from kit.fixtures import Fixture, load_fixtures, load_operation_fixtures
from scripts.contract.record import redact
from scripts.spec.payload_fixtures import load_request_fixtures
from tests.support import RunScript, assert_one_line_error, snapshot

pytestmark = pytest.mark.slow  # the end-to-end tier: `make test-e2e`

FIXTURES = load_fixtures()
SEED_IDS = [body["data"]["instanceId"] for body in seed_bodies(bundle()).values()]


def fixtures_folder(project: Path) -> Path:
    return project / "contract_tests" / "fixtures"


def remove_fixture(project: Path, name: str) -> Fixture:
    """Take a fixture out of the project copy (its file and its manifest entry); returns it as it was."""
    fixture = next(f for f in FIXTURES if f.name == name)
    folder = fixtures_folder(project)
    (folder / fixture.path.name).unlink()
    manifest = folder / "index.yaml"
    head, _, entry_and_rest = manifest.read_text().partition(f"  - file: {fixture.path.name}\n")
    rest = entry_and_rest.split("\n  - file: ", 1)
    manifest.write_text(head + ("  - file: " + rest[1] if len(rest) == 2 else ""))
    assert fixture.path.name not in manifest.read_text()
    return fixture


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


@pytest.mark.parametrize(
    ("text", "secret", "kept"),
    [
        ("clone https://ci-bot:ghp_SECRET123@github.com/org/repo.git", "ghp_SECRET123", "@github.com/org/repo.git"),
        ("redis://default:hunter2@cache:6379/0 refused", "hunter2", "@cache:6379/0 refused"),
        ("https://only-user@host.example/x", "only-user", "@host.example/x"),
        (
            "https://storage.googleapis.com/b/o.png?X-Goog-Algorithm=GOOG4&X-Goog-Credential=svc%2F2026"
            "&X-Goog-Signature=9f8e7d&X-Goog-Expires=900",
            "9f8e7d",
            "X-Goog-Expires=900",
        ),
        ("https://storage.googleapis.com/b/o?X-Goog-Credential=svc-account-42", "svc-account-42", "X-Goog-Credential"),
        ("https://acct.blob.core.windows.net/c/b.zip?sv=2024-01-01&se=2026&sig=AbC%2Bd%3D", "AbC", "sv=2024-01-01"),
        ("https://cdn.example/v.mp4?token=tok-123&w=1", "tok-123", "w=1"),
        ("https://api.example/x?access_token=at-456", "at-456", "access_token=REDACTED"),
        ("notify https://hooks.slack.com/services/T000/B000/XXXXsecret now", "XXXXsecret", "notify "),
        ("hooks.slack.com/services/T0A/B0B/slacksecret, no scheme", "slacksecret", ", no scheme"),
        ("https://discord.com/api/webhooks/1234/discord-secret-token", "discord-secret-token", "discord.com/api"),
        ("see discordapp.com/api/webhooks/99/legacy-secret.", "legacy-secret", "see "),
    ],
    ids=[
        "url-userinfo",
        "redis-userinfo",
        "user-only",
        "x-goog-signature",
        "x-goog-credential",
        "azure-sig",
        "token",
        "access-token",
        "slack",
        "slack-no-scheme",
        "discord",
        "discordapp",
    ],
)
def test_redaction_hides_credentials_in_urls_signed_queries_and_webhooks(text: str, secret: str, kept: str) -> None:
    redacted = redact({"stdout": text, "nested": [{"error": text}]})
    for value in (redacted["stdout"], redacted["nested"][0]["error"]):
        assert secret not in value, value
        assert kept in value and "REDACTED" in value, value


def test_recording_from_the_api_saves_a_redacted_fixture_that_validates(
    project_copy: Path, run_script: RunScript, mock_api: str
) -> None:
    source = remove_fixture(project_copy, "playwright-v2-new-fields")
    env = {"CURRENTS_API_KEY": demo_key(), "CURRENTS_API_URL": mock_api}

    process = run_script("contract.record", source.instance_id, "--name", "recorded-pw", cwd=project_copy, env=env)

    assert process.returncode == 0, process.stderr
    saved = fixtures_folder(project_copy) / "recorded-pw.json"
    text = saved.read_text()
    assert "@example.com" not in text.replace("redacted@example.com", "")
    assert "Signature=REDACTED" in text or "X-Amz-Signature=REDACTED" in text
    assert source.body["data"]["commit"]["message"] not in text
    entry = yaml.safe_load((fixtures_folder(project_copy) / "index.yaml").read_text())["fixtures"][-1]
    assert entry["file"] == "recorded-pw.json" and entry["variant"] == "PlaywrightInstance"
    assert entry["unknown_fields"] == sorted(source.unknown_fields)
    for path in source.unknown_fields:
        assert f"record: drift: {path} is not in the spec" in process.stdout
    assert demo_key() not in process.stdout + process.stderr + text


def test_recording_never_overwrites_and_needs_a_key(project_copy: Path, run_script: RunScript, mock_api: str) -> None:
    first, second = (remove_fixture(project_copy, name) for name in ("cypress-retries", "jest-failed-and-todo"))
    env = {"CURRENTS_API_KEY": demo_key(), "CURRENTS_API_URL": mock_api}
    assert (
        run_script("contract.record", first.instance_id, "--name", "taken", cwd=project_copy, env=env).returncode == 0
    )
    again = run_script("contract.record", second.instance_id, "--name", "taken", cwd=project_copy, env=env)
    assert_one_line_error(again, "exists already")
    assert_one_line_error(
        run_script("contract.record", "x", cwd=project_copy, env={"CURRENTS_API_KEY": ""}), "CURRENTS_API_KEY"
    )
    assert_one_line_error(run_script("contract.record", "missing-id", cwd=project_copy, env=env), "answered 404")


@pytest.mark.parametrize("key", ["k3y", "clé-0123456789"], ids=["too short", "not ASCII"])
def test_a_key_the_client_refuses_is_one_line_naming_the_variable(
    project_copy: Path, run_script: RunScript, mock_api: str, key: str
) -> None:
    before = snapshot(fixtures_folder(project_copy))

    process = run_script(
        "contract.record", "x", cwd=project_copy, env={"CURRENTS_API_KEY": key, "CURRENTS_API_URL": mock_api}
    )

    assert_one_line_error(process, "CURRENTS_API_KEY")
    assert key not in process.stdout + process.stderr
    assert snapshot(fixtures_folder(project_copy)) == before


@pytest.mark.parametrize(
    "instance_id",
    [SEED_IDS[0], SEED_IDS[1], FIXTURES[0].instance_id],
    ids=["cypress-seed", "playwright-seed", "a-fixture"],
)
def test_an_instance_id_the_corpus_holds_is_refused_in_one_line_and_nothing_is_written(
    project_copy: Path, run_script: RunScript, mock_api: str, instance_id: str
) -> None:
    before = snapshot(fixtures_folder(project_copy))
    env = {"CURRENTS_API_KEY": demo_key(), "CURRENTS_API_URL": mock_api}

    process = run_script("contract.record", instance_id, "--name", "a-second-name", cwd=project_copy, env=env)

    assert_one_line_error(process, instance_id, "in the corpus already")
    assert snapshot(fixtures_folder(project_copy)) == before
    assert run_script("spec.check_spec", cwd=project_copy).returncode == 0


def test_a_recorded_fixture_passes_check_spec_and_is_counted(
    project_copy: Path, run_script: RunScript, mock_api: str
) -> None:
    source = remove_fixture(project_copy, "vitest-flaky-with-new-fields")
    count = len(load_fixtures(fixtures_folder(project_copy) / "index.yaml"))
    env = {"CURRENTS_API_KEY": demo_key(), "CURRENTS_API_URL": mock_api}

    assert run_script("contract.record", source.instance_id, cwd=project_copy, env=env).returncode == 0

    check = run_script("spec.check_spec", cwd=project_copy)
    assert check.returncode == 0, check.stderr
    assert (
        f"{count + 1 + len(load_operation_fixtures()) + len(load_request_fixtures())} fixtures validate" in check.stdout
    )


def test_a_key_the_server_echoes_is_scrubbed_from_the_fixture_and_every_message(
    project_copy: Path, run_script: RunScript, echoing_api: str
) -> None:
    source = remove_fixture(project_copy, "cypress-all-passed")
    env = {"CURRENTS_API_KEY": ECHOED_KEY, "CURRENTS_API_URL": echoing_api}

    saved = run_script("contract.record", source.instance_id, "--name", "echoed", cwd=project_copy, env=env)
    refused = run_script("contract.record", "no-such-instance", cwd=project_copy, env=env)

    assert saved.returncode == 0, saved.stderr
    fixture = json.loads((fixtures_folder(project_copy) / "echoed.json").read_text())
    assert fixture["data"]["echoedAuthorization"] == "Bearer REDACTED"
    assert "record: drift: $.data.echoedAuthorization is not in the spec" in saved.stdout
    assert_one_line_error(refused, "answered 404", "you sent Bearer REDACTED")
    written = "".join(p.read_text() for p in fixtures_folder(project_copy).rglob("*") if p.is_file())
    everything = saved.stdout + saved.stderr + refused.stdout + refused.stderr + written
    escaped = json.dumps(ECHOED_KEY)[1:-1]
    assert not [form for form in (ECHOED_KEY, escaped, repr(escaped.encode())[2:-1]) if form in everything]
