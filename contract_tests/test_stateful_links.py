"""The stateful phase really follows the spec's links: proven from the mock's side.

schemathesis's CLI runs its stateful phase (with `schemathesis.toml` and the walk document, as `make contract`
does) against a mock
of this test's own. The mock's journal then says, for every request, which earlier responses had carried the
ids it used. Every OpenAPI link of the spec must have been followed at least once: a request to the link's
target operation whose id came from a response of the link's source operation. And use_after_free must have
had something to check: a run deleted, then asked for again, and answered 404.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from contract_tests.conftest import demo_key
from contract_tests.mock_api.app import MockApi, create_app
from contract_tests.mock_api.journal import Operation
from contract_tests.mock_api.server import serve_in_thread
from kit._cli import ROOT
from scripts.contract import CONFIG
from scripts.contract.documents import contract_document, walk_document
from scripts.contract.registry import write_config
from scripts.contract.target import MOCK_WINDOW, Target, mock_ids

pytestmark = pytest.mark.slow  # the end-to-end tier: `make test-e2e`

# Scenarios of the stateful phase: modest, to keep `make test` quick, and enough to walk every link.
STATEFUL_EXAMPLES = 100
# A fixed seed makes the walk the same on every run (the mock's world is seeded too), so the proof does not
# depend on luck; STATEFUL_SEED in the environment tries another walk.
STATEFUL_SEED = 5
# Scenarios of the actions' walk and of the webhooks' walk.
SETTINGS_EXAMPLES = 30


def spec_links(document: dict[str, Any]) -> list[tuple[str, Operation, Operation, str]]:
    """Every link of `document` as (name, source operation, target operation, parameter)."""
    by_id = {
        operation["operationId"]: (method.upper(), "/v1" + path)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if isinstance(operation, dict) and "operationId" in operation
    }
    links = []
    for source_id, source in by_id.items():
        operation = document["paths"][source[1][3:]][source[0].lower()]
        for response in operation["responses"].values():
            for name, link in response.get("links", {}).items():
                for parameter in link["parameters"]:
                    links.append(
                        (
                            f"{source_id} -> {link['operationId']} ({name})",
                            source,
                            by_id[link["operationId"]],
                            parameter,
                        )
                    )
    return links


SETTINGS_TAGS = {"actions", "webhooks"}


def part_of(document: dict[str, Any], tag: str | None, projects: list[str]) -> dict[str, Any]:
    """`document` with only the operations of `tag` (`actions` or `webhooks`), or (None) only the others. In
    a tag's part, `projectId` takes only the world's `projects`: a walk starts with a create, and a create in
    an unknown project is a 404 that leads nowhere."""
    part: dict[str, Any] = json.loads(json.dumps(document))
    for item in part["paths"].values():
        for method, operation in list(item.items()):
            if not isinstance(operation, dict):
                continue
            tags = set(operation.get("tags", []))
            if (tag in tags) if tag else not (SETTINGS_TAGS & tags):
                for parameter in operation.get("parameters", []) if tag else []:
                    if parameter.get("name") == "projectId":
                        parameter["schema"] = {"type": "string", "enum": projects}
            else:
                del item[method]
    part["paths"] = {
        path: item for path, item in part["paths"].items() if any(isinstance(o, dict) for o in item.values())
    }
    return part


@pytest.fixture(scope="module")
def stateful_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[MockApi, dict[str, Any], str]]:
    """The stateful phase run once against a fresh mock; yields the mock, the document and the CLI's output."""
    folder = tmp_path_factory.mktemp("stateful")
    app = create_app()
    with serve_in_thread(app) as base_url:
        target = Target("mock", base_url, demo_key(), mock_ids(app.backend.world), allow_writes=True)
        document = walk_document(contract_document(target), MOCK_WINDOW, target.ids.tests)
        outputs = []
        config = write_config(CONFIG.read_text(encoding="utf-8"), document, folder / "schemathesis.toml")
        # Three walks of the same mock: the runs' graph, then the actions' and the webhooks' life cycles (no
        # link joins them), so that a modest number of scenarios follows every link of each.
        projects = sorted(app.backend.world.projects)
        parts = [part_of(document, tag, projects) for tag in (None, *sorted(SETTINGS_TAGS))]
        for n, part in enumerate(parts):
            spec = folder / f"openapi.contract-{n}.json"
            spec.write_text(json.dumps(part), encoding="utf-8")
            command = [sys.executable, "-m", "schemathesis.cli", "--config-file", str(config), "run", str(spec)]
            examples = SETTINGS_EXAMPLES if n else STATEFUL_EXAMPLES
            command += ["--url", base_url, "--phases", "stateful", "--max-examples", str(examples)]
            command += ["--seed", os.environ.get("STATEFUL_SEED", str(STATEFUL_SEED))]
            process = subprocess.run(
                command,
                cwd=folder,
                env={**os.environ, "CONTRACT_API_KEY": demo_key(), "PYTHONPATH": str(ROOT)},
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
            )
            outputs.append(f"schemathesis exit {process.returncode}\n" + process.stdout + process.stderr)
    yield app, document, "\n".join(outputs)
    assert not app.journal.faults, app.journal.faults


@pytest.mark.slow
def test_the_stateful_phase_passes_with_every_check(stateful_run: tuple[MockApi, dict[str, Any], str]) -> None:
    _, _, output = stateful_run
    # Each walk exits 0 (a part lacks some operations the configuration names: a warning, not an issue).
    assert output.count("schemathesis exit 0\n") == 1 + len(SETTINGS_TAGS) and "✅ Stateful" in output, output[-3000:]


EMPTY_PAGE = re.compile(r'"(data|list|specs)":\[\]')


def test_a_link_fails_to_extract_only_from_an_empty_page_never_from_a_random_signature(
    stateful_run: tuple[MockApi, dict[str, Any], str],
) -> None:
    """schemathesis notes each link it could not follow. Each one here must come from a page the walk's own
    deletes and resets emptied, never from a signature of a random title (whose results are always empty,
    so that the links from them led nowhere), and never from a page with items (a link that names the wrong
    field). `make contract` says what the notes are (scripts/contract/schemathesis_run.py, `STATEFUL_NOTE`)."""
    _, _, output = stateful_run
    assert output.count("schemathesis exit 0\n") == 1 + len(SETTINGS_TAGS), output[-3000:]
    notes = output.split("Failed to extract data from response:", 1)[1] if "Failed to extract" in output else ""
    cases = notes.split("Test Case ID:")[1:]
    for case in cases:
        assert "/signature/test" not in case, case
        assert EMPTY_PAGE.search(case), case


def test_every_link_of_the_spec_was_followed(stateful_run: tuple[MockApi, dict[str, Any], str]) -> None:
    app, document, _ = stateful_run
    links = spec_links(document)
    assert len(links) >= 10
    unfollowed = [
        name
        for name, source, target, parameter in links
        if not any(
            exchange.operation == target and source in exchange.learned_from.get(parameter, frozenset())
            for exchange in app.journal.exchanges
        )
    ]
    assert not unfollowed, f"links never followed: {unfollowed}"


def test_the_walks_reach_instances_and_deleted_runs_answer_404(
    stateful_run: tuple[MockApi, dict[str, Any], str],
) -> None:
    app, _, _ = stateful_run
    exchanges = app.journal.exchanges
    instance = ("GET", "/v1/instances/{instanceId}")
    run_detail = ("GET", "/v1/runs/{runId}")
    assert any(
        e.operation == instance and e.status == 200 and run_detail in e.learned_from["instanceId"] for e in exchanges
    )
    deleted = {e.ids["runId"] for e in exchanges if e.operation == ("DELETE", "/v1/runs/{runId}") and e.status == 200}
    assert deleted, "the stateful phase deleted no run: use_after_free had nothing to check"
    after = [
        e
        for n, e in enumerate(exchanges)
        if e.operation == run_detail
        and e.ids.get("runId") in deleted
        and any(d.operation[0] == "DELETE" and d.status == 200 and d.ids == e.ids for d in exchanges[:n])
    ]
    assert after and all(e.status == 404 for e in after)


def test_the_stateful_phase_cancels_runs_and_sees_them_canceled(
    stateful_run: tuple[MockApi, dict[str, Any], str],
) -> None:
    app, _, _ = stateful_run
    exchanges = app.journal.exchanges
    canceled = [
        n for n, e in enumerate(exchanges) if e.operation == ("PUT", "/v1/runs/{runId}/cancel") and e.status == 200
    ]
    assert canceled
    seen_after = [
        e
        for n in canceled
        for e in exchanges[n + 1 :]
        if e.operation == ("GET", "/v1/runs/{runId}") and e.status == 200 and e.ids == exchanges[n].ids
    ]
    assert seen_after and all(e.completion_state == "CANCELED" for e in seen_after)


def test_no_report_of_the_stateful_run_holds_the_key(
    stateful_run: tuple[MockApi, dict[str, Any], str], tmp_path: Path
) -> None:
    _, _, output = stateful_run
    assert demo_key() not in output


def test_the_walks_archive_actions_they_created_and_deleted_webhooks_answer_404(
    stateful_run: tuple[MockApi, dict[str, Any], str],
) -> None:
    app, _, _ = stateful_run
    exchanges = app.journal.exchanges
    created = {("POST", "/v1/actions"): "actionId", ("POST", "/v1/webhooks"): "hookId"}
    assert {e.operation for e in exchanges if e.operation in created and e.status == 201} == set(created)
    archived = {
        e.ids["actionId"] for e in exchanges if e.operation == ("DELETE", "/v1/actions/{actionId}") and e.status == 200
    }
    assert archived, "the stateful phase archived no action"
    for action_id in archived:
        _, body = app.backend.world.actions[action_id]
        assert body["status"] == "archived"
    deleted = {
        e.ids["hookId"] for e in exchanges if e.operation == ("DELETE", "/v1/webhooks/{hookId}") and e.status == 200
    }
    assert deleted, "the stateful phase deleted no webhook: use_after_free had nothing to check"
    after = [
        e
        for n, e in enumerate(exchanges)
        if e.operation == ("GET", "/v1/webhooks/{hookId}")
        and e.ids.get("hookId") in deleted
        and any(d.operation[0] == "DELETE" and d.status == 200 and d.ids == e.ids for d in exchanges[:n])
    ]
    assert all(e.status == 404 for e in after)
    assert not set(deleted) & set(app.backend.world.webhooks)
