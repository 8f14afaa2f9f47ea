"""How to call the Actions, Webhooks, Insights, Errors Explorer and cancel-by-CI operations with the fewest
arguments, and the model each one's success answer decodes to (test_resources.py merges these in)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from currents_api_client import models
from currents_api_client.api.actions import (
    create_action,
    delete_action,
    disable_action,
    enable_action,
    get_action,
    list_actions,
    update_action,
)
from currents_api_client.api.errors_explorer import get_errors_explorer
from currents_api_client.api.projects import get_project_insights
from currents_api_client.api.runs import cancel_run_by_github_ci
from currents_api_client.api.webhooks import (
    create_webhook,
    delete_webhook,
    get_webhook,
    list_webhooks,
    update_webhook,
)

DATES: dict[str, Any] = {"date_start": "2026-03-01", "date_end": "2026-03-31"}
HOOK_ID = UUID("3f6b2d0e-8c1a-4e5b-9d7f-2a4c6e8b0d1f")
NEW_ACTION = models.CreateActionRequest(
    name="Quarantine checkout",
    action=[models.RuleActionQuarantine(op="quarantine")],
    matcher=models.RuleMatcherInput(
        op="AND", cond=[models.ListCondition(type_="titlePath", op="incAll", value=["checkout.spec.ts"])]
    ),
)

NEW_CALLS: dict[str, Any] = {
    "listActions": lambda c: list_actions.sync(client=c, project_id="GtO78i"),
    "createAction": lambda c: create_action.sync(client=c, project_id="GtO78i", body=NEW_ACTION),
    "getAction": lambda c: get_action.sync("act_6f1c2b9e0d", client=c),
    "updateAction": lambda c: update_action.sync(
        "act_6f1c2b9e0d", client=c, body=models.UpdateActionRequest(name="Renamed")
    ),
    "deleteAction": lambda c: delete_action.sync("act_6f1c2b9e0d", client=c),
    "enableAction": lambda c: enable_action.sync("act_6f1c2b9e0d", client=c),
    "disableAction": lambda c: disable_action.sync("act_6f1c2b9e0d", client=c),
    "listWebhooks": lambda c: list_webhooks.sync(client=c, project_id="GtO78i"),
    "createWebhook": lambda c: create_webhook.sync(
        client=c, project_id="GtO78i", body=models.CreateWebhookRequest(url="https://hooks.example.com/currents")
    ),
    "getWebhook": lambda c: get_webhook.sync(HOOK_ID, client=c),
    "updateWebhook": lambda c: update_webhook.sync(
        HOOK_ID, client=c, body=models.UpdateWebhookRequest(hook_events=["RUN_FINISH"])
    ),
    "deleteWebhook": lambda c: delete_webhook.sync(HOOK_ID, client=c),
    "getProjectInsights": lambda c: get_project_insights.sync("GtO78i", client=c, **DATES),
    "getErrorsExplorer": lambda c: get_errors_explorer.sync("GtO78i", client=c, **DATES),
    "cancelRunByGithubCI": lambda c: cancel_run_by_github_ci.sync(
        client=c, body=models.CancelRunByGithubCIRequest(github_run_id="8123456789", github_run_attempt=1)
    ),
}
NEW_SUCCESS_MODELS: dict[str, type[Any]] = {
    "listActions": models.ActionListResponse,
    "createAction": models.ActionResponse,
    "getAction": models.ActionResponse,
    "updateAction": models.ActionResponse,
    "deleteAction": models.ActionDeleteResponse,
    "enableAction": models.ActionResponse,
    "disableAction": models.ActionResponse,
    "listWebhooks": models.WebhookListResponse,
    "createWebhook": models.WebhookResponse,
    "getWebhook": models.WebhookResponse,
    "updateWebhook": models.WebhookResponse,
    "deleteWebhook": models.WebhookDeleteResponse,
    "getProjectInsights": models.ProjectInsightsResponse,
    "getErrorsExplorer": models.ErrorsExplorerResponse,
    "cancelRunByGithubCI": models.RunCancelByCIResponse,
}
