"""The package README's "walk from a project to its instances" example runs as written, against a loopback server
that answers each path with a fixture: projects, their runs, a run, and the instances its spec files name."""

from __future__ import annotations

import contextlib
import io
import json
import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import pytest

from contract_tests.mock_api.server import serve_in_thread
from scripts.spec.sources import GENERATED, PROJECT_NAME
from tests.client.conftest import API_KEY
from tests.support import seed_body

Message = MutableMapping[str, Any]
FIXTURES = GENERATED.parent / "contract_tests" / "fixtures"


def fixture(path: str) -> dict[str, Any]:
    body: dict[str, Any] = json.loads((FIXTURES / path).read_text())
    return body


PROJECTS = {"status": "OK", "has_more": False, "data": fixture("projects/list-first-page.json")["data"][:1]}
RUNS = {"status": "OK", "has_more": False, "data": fixture("runs/list-first-page.json")["data"][1:]}
RUN = fixture("runs/get-playwright-complete-failed.json")
ROUTES = {"/v1/projects": PROJECTS, "/v1/projects/Qx7Lm2/runs": RUNS, "/v1/runs/3f0a9c1d2e4b5a67": RUN}


async def api(
    scope: Message, receive: Callable[[], Awaitable[Message]], send: Callable[[Message], Awaitable[None]]
) -> None:
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    path = scope["path"]
    body = ROUTES.get(path) or (seed_body("playwright-instance") if path.startswith("/v1/instances/") else None)
    status = 200 if body else 404
    payload = json.dumps(body or {"status": "FAILED", "error": "Not found"}).encode()
    await send({"type": "http.response.start", "status": status, "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": payload})


def readme_example() -> str:
    text = (GENERATED / PROJECT_NAME / "README.md").read_text()
    section = text.split("## Walk from a project to its instances", 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match, "the README has no walk example"
    return match.group(1)


def test_the_readme_walk_runs_from_a_project_to_its_instances(monkeypatch: pytest.MonkeyPatch) -> None:
    with serve_in_thread(api) as base_url:
        monkeypatch.setenv("CURRENTS_API_KEY", API_KEY)
        monkeypatch.setenv("CURRENTS_API_URL", base_url)
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(readme_example(), "README.md", "exec"), {})
    assert out.getvalue().splitlines() == [
        "Storefront E2E 3f0a9c1d2e4b5a67 checkout/payment.spec.ts PlaywrightInstance",
        "Storefront E2E 3f0a9c1d2e4b5a67 checkout/cart.spec.ts PlaywrightInstance",
    ]
