"""The mock delivers webhooks as Currents does: a POST of the run's summary to each subscribed webhook.

Scope: `Deliveries(world, journal)` is told of a run event (`notify(run, event)`; the backend calls it when
a run is canceled, by `PUT /runs/{runId}/cancel` or by cancel-by-CI). For each webhook of the run's
project whose `hookEvents` hold the event, it POSTs the event body (`event_body`, the shape of the spec's
`webhooks`) with `content-type: application/json`, `x-timestamp` (epoch seconds) and the webhook's custom
`headers`, as Currents does.

Only to loopback: every valid URL is stored, as Currents does, but a delivery is sent only when the URL's
host is a loopback IP literal (127.0.0.0/8 or ::1). Any other URL, `localhost` included (a name could
resolve elsewhere), is never contacted: the journal records the delivery as `skipped`, with why. Redirects
are not followed.

In the background: deliveries run on one worker thread, in order, so the answer to the cancel never waits
for a receiver. Each has a short timeout (`TIMEOUT`) and a bounded retry (httpx-retries: `RETRIES` more
attempts on a connection error, a timeout or a 429/5xx answer). The journal records each as `delivered`
(a 2xx answer) or `failed` (the last status or error), never the headers (they carry secrets) nor the URL.
`wait()` blocks until every delivery asked for so far is done, for tests and shutdown.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

import httpx
from httpx_retries import Retry, RetryTransport

from contract_tests.mock_api.entities import Run, World
from contract_tests.mock_api.journal import Delivery, Journal

TIMEOUT = httpx.Timeout(2.0)
RETRIES = 2
RUN_URL = "https://app.currents.dev/run/{run_id}"
COMMIT_FIELDS = ("sha", "branch", "authorName", "authorEmail", "message", "remoteOrigin", "defaultBranch")
COUNTS = ("overall", "passes", "failures", "pending", "skipped", "retries", "flaky")


def loopback_refusal(url: str) -> str | None:
    """Why the mock will not deliver to `url`, or None when its host is a loopback IP literal."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return "the URL cannot be parsed"
    if parts.scheme not in ("http", "https"):
        return f"the scheme {parts.scheme!r} is not http or https"
    try:
        address = ipaddress.ip_address(host or "")
    except ValueError:
        return "the host is not an IP literal; the mock delivers only to loopback addresses"
    if not address.is_loopback:
        return "the host is not a loopback address; the mock delivers only to loopback addresses"
    return None


def event_body(run: Run, event: str) -> dict[str, Any]:
    """The body Currents POSTs for `event` of `run` (its summary at this moment)."""
    body = run.body
    meta = body.get("meta") or {}
    commit = meta.get("commit") or {}
    groups = body.get("groups") or []
    totals = {name: sum(int((g.get("tests") or {}).get(name) or 0) for g in groups) for name in COUNTS}
    payload: dict[str, Any] = {
        "event": event,
        "runUrl": RUN_URL.format(run_id=run.run_id),
        "buildId": str(meta.get("ciBuildId") or ""),
        "tags": [t for t in body.get("tags") or [] if isinstance(t, str)],
        "commit": {name: commit.get(name) for name in COMMIT_FIELDS},
        **totals,
    }
    if len(groups) > 1:  # Currents sends groupId only for a run of several groups
        payload["groupId"] = str(groups[0].get("groupId"))
    return payload


def custom_headers(hook: dict[str, Any]) -> dict[str, str]:
    """The webhook's custom headers (stored as the JSON string they were set as), or none."""
    try:
        headers = json.loads(hook.get("headers") or "{}")
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in headers.items()} if isinstance(headers, dict) else {}


class Deliveries:
    def __init__(self, world: World, journal: Journal) -> None:
        self.world = world
        self.journal = journal
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mock-webhooks")
        self._pending: list[Future[None]] = []
        self._lock = threading.Lock()
        self._client: httpx.Client | None = None  # made on the worker by the first delivery sent

    def client(self) -> httpx.Client:
        if self._client is None:
            retry = Retry(
                total=RETRIES,
                allowed_methods=["POST"],
                status_forcelist=[429, 500, 502, 503, 504],
                backoff_factor=0.05,
                max_backoff_wait=0.5,
            )
            # trust_env=False: no proxy from the environment, so a loopback delivery stays on loopback
            transport = RetryTransport(retry=retry)
            self._client = httpx.Client(transport=transport, timeout=TIMEOUT, follow_redirects=False, trust_env=False)
        return self._client

    def notify(self, run: Run, event: str) -> None:
        """Deliver `event` of `run` to every webhook of its project subscribed to it (module docstring)."""
        body = json.dumps(event_body(run, event)).encode()
        hooks = [
            dict(h)
            for h in self.world.webhooks.values()
            if h.get("projectId") == run.project_id and event in (h.get("hookEvents") or [])
        ]
        for hook in sorted(hooks, key=lambda h: str(h["hookId"])):
            record = Delivery(hook_id=str(hook["hookId"]), event=event, run_id=run.run_id, outcome="queued")
            refusal = loopback_refusal(str(hook.get("url")))
            if refusal is not None:
                self.journal.delivery(record.done("skipped", reason=refusal))
                continue
            with self._lock:
                self._pending.append(self._worker.submit(self._send, record, str(hook["url"]), hook, body))

    def _send(self, record: Delivery, url: str, hook: dict[str, Any], body: bytes) -> None:
        headers = {**custom_headers(hook), "content-type": "application/json", "x-timestamp": str(int(time.time()))}
        started = dt.datetime.now(dt.UTC)
        try:
            response = self.client().post(url, content=body, headers=headers)
        except httpx.HTTPError as error:
            self.journal.delivery(record.done("failed", reason=type(error).__name__, at=started))
            return
        outcome = "delivered" if 200 <= response.status_code < 300 else "failed"
        self.journal.delivery(record.done(outcome, status=response.status_code, at=started))

    def wait(self) -> None:
        """Block until every delivery asked for so far is done."""
        with self._lock:
            pending, self._pending = self._pending, []
        for future in pending:
            future.result()
