"""Live mode with writes allowed cleans up after itself: the actions and webhooks the run created, named as the
contract's, are archived and deleted afterwards even when a check fails, and nothing that was there before
is touched. Against the mock posing as the real API, over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from currents_api_client import models
from currents_api_client.api.actions import create_action
from currents_api_client.api.webhooks import create_webhook

from contract_tests.conftest import demo_key
from contract_tests.mock_api.app import MockApi, create_app
from contract_tests.mock_api.server import serve_in_thread
from scripts.contract.discovery import Ids
from scripts.contract.settings import CONTRACT_NAME, CONTRACT_URL, cleanup
from scripts.contract.target import Target, client_for

PROJECT = "Prj9Zb"


@pytest.fixture
def live_mock() -> Iterator[tuple[str, MockApi]]:
    app = create_app()
    with serve_in_thread(app) as base_url:
        yield base_url, app


def create_both(target: Target) -> tuple[str, str]:
    action = models.CreateActionRequest.from_dict(
        {
            "name": CONTRACT_NAME,
            "action": [{"op": "skip"}],
            "matcher": {"op": "AND", "cond": [{"type": "testId", "op": "eq", "value": "none"}]},
        }
    )
    hook = models.CreateWebhookRequest.from_dict({"url": CONTRACT_URL, "label": CONTRACT_NAME})
    with client_for(target) as client:
        action_id = create_action.sync(client=client, project_id=PROJECT, body=action).data.action_id
        hook_id = str(create_webhook.sync(client=client, project_id=PROJECT, body=hook).data.hook_id)
    return action_id, hook_id


def test_cleanup_removes_only_what_the_run_created_even_when_a_check_fails(live_mock: tuple[str, MockApi]) -> None:
    base_url, app = live_mock
    target = Target("live", base_url, demo_key(), Ids(projects=[PROJECT]), allow_writes=True, write_project=PROJECT)
    earlier_action, earlier_hook = create_both(target)  # a previous run's leftovers: not this run's to touch
    with pytest.raises(RuntimeError), cleanup(target, client_for):
        action_id, hook_id = create_both(target)
        raise RuntimeError("a check failed")
    world = app.backend.world
    assert world.actions[action_id][1]["status"] == "archived"
    assert hook_id not in world.webhooks
    assert world.actions[earlier_action][1]["status"] == "active"
    assert earlier_hook in world.webhooks


def test_cleanup_does_nothing_without_writes_allowed(live_mock: tuple[str, MockApi]) -> None:
    base_url, app = live_mock
    writer = Target("live", base_url, demo_key(), Ids(projects=[PROJECT]), allow_writes=True, write_project=PROJECT)
    reader = Target("live", base_url, demo_key(), Ids(projects=[PROJECT]), allow_writes=False)
    before = len(app.journal.exchanges)
    with cleanup(reader, client_for):
        action_id, hook_id = create_both(writer)
    assert app.backend.world.actions[action_id][1]["status"] == "active" and hook_id in app.backend.world.webhooks
    assert len(app.journal.exchanges) == before + 2  # the two creates; cleanup sent nothing
