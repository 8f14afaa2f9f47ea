"""`currents-api flaky --quarantine` against the mock's Actions: the plan sends no write (the mock's journal says
so), --apply creates one exactly-matching action per flaky test, a rerun creates nothing, and the actions of
tests no longer flaky are released only with --apply."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from currents_api_client import AuthenticatedClient
from currents_api_client.api.actions import list_actions

from contract_tests.conftest import demo_key
from contract_tests.mock_api.app import MockApi
from tests.lib.cli_support import cli

pytestmark = pytest.mark.slow

PROJECT = "LPjo81"  # a project of the mock's world with flaky tests
WRITES = ("POST", "PUT", "PATCH", "DELETE")


def _flaky_tests(store: Path, mock_url: str, threshold: float) -> list[dict[str, object]]:
    process = cli(mock_url, "flaky", PROJECT, "--db", str(store), "--format", "json")
    assert process.returncode == 0, process.stderr
    lines = [json.loads(line) for line in process.stdout.splitlines()]
    return [line for line in lines if float(str(line["flake_rate"])) >= threshold]


def _writes(app: MockApi, since: int) -> list[str]:
    return [method for method in app.journal.methods[since:] if method in WRITES]


def _ours(mock_url: str) -> list[dict[str, object]]:
    with AuthenticatedClient(base_url=mock_url, token=demo_key()) as client:
        listed = list_actions.sync(client=client, project_id=PROJECT).data
    return [a.to_dict() for a in listed if a.name.startswith("Flaky quarantine: ")]


def test_quarantine_plans_without_writing_creates_once_and_releases_on_apply(
    store: Path, mock_url: str, mock_app: MockApi
) -> None:
    flaky = _flaky_tests(store, mock_url, 0.5)
    assert flaky, "the mock's project has no flaky test"
    quarantine = ("flaky", PROJECT, "--db", str(store), "--quarantine", "--threshold", "0.5", "--expires", "7d")

    before = len(mock_app.journal.methods)
    plan = cli(mock_url, *quarantine)
    assert plan.returncode == 0, plan.stderr
    lines = plan.stdout.splitlines()
    assert len([line for line in lines if line.startswith("would create  ")]) == len(flaky)
    assert lines[-1].endswith("nothing written: add --apply")
    assert _writes(mock_app, before) == [] and len(mock_app.journal.methods) > before  # it read, it did not write
    assert _ours(mock_url) == []

    before = len(mock_app.journal.methods)
    applied = cli(mock_url, *quarantine, "--apply")
    assert applied.returncode == 0, applied.stderr
    created = [line for line in applied.stdout.splitlines() if line.startswith("created  ")]
    assert len(created) == len(flaky) and _writes(mock_app, before) == ["POST"] * len(flaky)
    ours = _ours(mock_url)
    assert len(ours) == len(flaky)
    for test in flaky:
        name = f"Flaky quarantine: {test['spec']} > {' > '.join(test['title'])}"  # type: ignore[arg-type]
        (action,) = [a for a in ours if a["name"] == name]
        assert action["status"] == "active" and action["action"] == [{"op": "quarantine"}]
        assert action["matcher"] == {
            "op": "AND",
            "cond": [
                {"type": "file", "op": "eq", "value": test["spec"]},
                {"type": "title", "op": "eq", "value": test["title"][-1]},  # type: ignore[index]
                {"type": "titlePath", "op": "incAll", "value": test["title"]},
            ],
        }
        assert str(action["expiresAfter"]) > str(action["createdAt"])

    before = len(mock_app.journal.methods)
    again = cli(mock_url, *quarantine, "--apply")
    assert again.returncode == 0, again.stderr
    assert not [line for line in again.stdout.splitlines() if line.startswith("created")]
    assert len([line for line in again.stdout.splitlines() if line.startswith("keep  ")]) == len(flaky)
    assert _writes(mock_app, before) == [] and len(_ours(mock_url)) == len(flaky)

    # Since a day no run reached, no test is flaky: every action of ours is listed for release, and released
    # (disabled) only with --apply.
    later = (*quarantine, "--since", "2100-01-01")
    before = len(mock_app.journal.methods)
    listed = cli(mock_url, *later)
    assert listed.returncode == 0, listed.stderr
    assert len([line for line in listed.stdout.splitlines() if line.startswith("would release  ")]) == len(flaky)
    assert _writes(mock_app, before) == [] and {a["status"] for a in _ours(mock_url)} == {"active"}
    released = cli(mock_url, *later, "--apply")
    assert released.returncode == 0, released.stderr
    assert len([line for line in released.stdout.splitlines() if line.startswith("released  ")]) == len(flaky)
    assert {a["status"] for a in _ours(mock_url)} == {"disabled"}
