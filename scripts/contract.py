"""The main job: check that the spec, the generated client and the API agree (`make contract`).

Mock mode, without `CURRENTS_API_KEY`: the embedded mock API (contract_tests/mock_api) is started on a free
loopback port (on `MOCK_PORT` when that is set) and every operation is checked, writes included: the mock
keeps its state in its own process. No request leaves the machine.

Live mode, with `CURRENTS_API_KEY`: the real API at `CURRENTS_API_URL` (default production) is checked.
It never falls back to the mock: a live-mode variable (`CURRENTS_INSTANCE_IDS`, `CURRENTS_PROJECT_IDS`,
`CURRENTS_API_URL`, `CURRENTS_WRITE_PROJECT_ID`) set with an empty or missing key is an error (exit 2).
- Ids are discovered (`scripts.discovery`): the projects of `CURRENTS_PROJECT_IDS` (or those the key sees),
  a few runs of each, their instances, and a few test signatures; `CURRENTS_INSTANCE_IDS` adds instances.
- It never writes: only GET operations run, plus `POST /signature/test`, which changes nothing. No
  undeclared method is sent either: the unsupported_method check is left out, and the coverage phase's
  undeclared methods are turned off (`reports/schemathesis.live.toml`), since both would send DELETE and
  PUT to every path; the stateful phase follows the spec's links only (no inferred ones). Cancel,
  reset and delete run only with `CONTRACT_ALLOW_WRITES=1` and `CURRENTS_WRITE_PROJECT_ID` naming a project
  set aside for it; then every `projectId` is pinned to that project and the projects listing is left out,
  so that the runs the write operations reach (by example or by link) are that project's.
- Requests are bounded: schemathesis runs with a rate limit (`CONTRACT_RATE_LIMIT` a second, default 4)
  within a time budget (`CONTRACT_MAX_TIME` seconds, default 120), so it sends at most their product;
  discovery and the drift fetch send a fixed number more (plus the client's retries on 429, with its
  backoff and `Retry-After`). The counts are printed at the end.

Steps:
1. Regenerate `generated/` if its sources changed since it was generated.
2. Write `reports/openapi.contract.json`: `generated/openapi.json` with the ids to use as the examples of
   the `projectId`, `runId`, `instanceId` and `signature` parameters, without the operations this run
   may not call; and `reports/openapi.stateful.json`, the same for the stateful phase, whose listings keep
   only their required parameters so that their pages have items to follow (`walk_document`).
3. Fetch one response of every read operation with the generated client: each must decode, and the fields
   the strict contract overlay refuses are reported as drift (`reports/drift.json`), with an example value
   and how many responses had them. Drift is a warning, or a failure with `CONTRACT_STRICT=1`. This runs
   before schemathesis, whose stateful phase cancels and deletes runs of the mock.
4. Run the schemathesis CLI (`st run`) with `schemathesis.toml` twice: the examples, coverage and fuzzing
   phases, then the stateful phase, each with every check. The stateful phase follows the spec's OpenAPI
   links (project, runs, run, instance; cancel, get, delete, get), and use_after_free checks that a deleted
   run answers 404. Progress and summaries are printed as they run; the JUnit XML and the HTML reports go
   under `reports/` (`junit.xml`, `junit-stateful.xml`). `CONTRACT_MAX_EXAMPLES` overrides the number of
   examples (and stateful scenarios) per operation; `CONTRACT_PHASES` (e.g. `examples,stateful`) runs only
   those phases (default all four).
5. Write `reports/summary.md` (scripts/summary.py): the verdict, the API, schemathesis's counts per
   phase, the JUnit totals, the drift table and the problems, in Markdown for CI's job summary.

Secrets: the key reaches schemathesis through its environment, never its command line, and schemathesis
filters `Authorization` from its output and reports. A server may still echo the key in a body or a header:
schemathesis's output is scrubbed on its way to the terminal, its reports are written to a private temporary
folder and copied into `reports/` scrubbed, and every body is scrubbed before the drift report or a problem
line shows any of it (`kit.scrub`). No output or report holds the key.

Exit status: 0 when everything agrees; 1 when a check fails or a response does not decode (or on drift with
CONTRACT_STRICT=1); 2 for unusable input (a key the client or the API refuses, an unreachable API, nothing to
check, writes asked for without a project set aside, a live-mode variable without a key), as one line.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import IO, Any

from kit._cli import EXIT_FAILED, EXIT_OK, ROOT, UserError, display_path, run
from kit.scrub import Scrubber
from scripts.contract_registry import is_account_wide, is_write, operations, takes_known_tests, write_config
from scripts.contract_settings import (
    cleanup,
    drop_webhooks,
    expected_status,
    pin_settings,
    scrub_webhook_headers,
    settings_calls,
)
from scripts.discovery import CountingTransport, Ids, discover
from scripts.drift import Documents, Finding, format_report, inspect, inspect_operation, summarise
from scripts.spec.check_generated import compare
from scripts.spec.generate import generate
from scripts.spec.sources import BUNDLED_NAME, GENERATED
from scripts.summary import SUMMARY_NAME
from scripts.summary import write as write_summary

REPORTS = ROOT / "reports"
CONFIG = ROOT / "schemathesis.toml"
CONTRACT_SPEC = REPORTS / "openapi.contract.json"
STATEFUL_SPEC = REPORTS / "openapi.stateful.json"
DRIFT_REPORT = REPORTS / "drift.json"
MAX_BODY_SHOWN = 200
# Live mode's bound on schemathesis: at most CONTRACT_RATE_LIMIT requests a second (default 4) for
# CONTRACT_MAX_TIME seconds in all (default 120, shared by its two runs), with few examples per operation.
LIVE_RATE_LIMIT = 4
LIVE_MAX_TIME = 120
LIVE_MAX_EXAMPLES = 5
# The path and query parameters that take ids, and where their examples come from.
ID_PARAMETERS = {"projectId": "projects", "runId": "runs", "instanceId": "instances", "signature": "signatures"}
ID_PARAMETERS.update(actionId="actions", hookId="webhooks")
# Mock mode: how many of the world's ids become examples (the stateful phase finds the rest through links).
MOCK_EXAMPLE_RUNS = 6
# The period the stateful phase asks the mock about: its whole world.
MOCK_WINDOW = ("2020-01-01", "2030-12-31")


@dataclass
class Target:
    """What the checks run against: a base URL, a key, the ids to use, and whether writes may be sent."""

    mode: str  # "mock" or "live"
    base_url: str
    api_key: str = field(repr=False)
    ids: Ids
    allow_writes: bool
    write_project: str | None = None
    counter: CountingTransport = field(default_factory=CountingTransport)

    @property
    def scrubber(self) -> Scrubber:
        return Scrubber(self.api_key)


def regenerate_if_needed() -> None:
    stale = compare()[2]
    if stale:
        print(
            f"contract: {display_path(GENERATED)}/ was out of date with its sources ({len(stale)} files); regenerating"
        )
        generate()


def env(name: str) -> str:
    return os.environ.get(name, "").strip()


def listed(name: str) -> list[str]:
    return [part.strip() for part in env(name).split(",") if part.strip()]


def client_for(target: Target, max_retries: int = 3) -> Any:
    """The generated client for `target`, counting every request it sends (retries included). A key or URL the
    client refuses (too short, control characters) is a UserError, scrubbed."""
    from currents_api_client import AuthenticatedClient

    try:
        return AuthenticatedClient(
            token=target.api_key,
            base_url=target.base_url,
            httpx_args={"transport": target.counter},
            max_retries=max_retries,
        )
    except (TypeError, ValueError) as error:
        raise UserError(target.scrubber.text(f"CURRENTS_API_KEY or CURRENTS_API_URL cannot be used: {error}")) from None


def live_target(key: str) -> Target:
    from currents_api_client.client import DEFAULT_BASE_URL

    allow_writes = env("CONTRACT_ALLOW_WRITES") == "1"
    write_project = env("CURRENTS_WRITE_PROJECT_ID") or None
    if allow_writes and write_project is None:
        raise UserError(
            "CONTRACT_ALLOW_WRITES=1 needs CURRENTS_WRITE_PROJECT_ID: the id of a project set aside for "
            "cancel, reset and delete"
        )
    projects = [write_project] if allow_writes and write_project else listed("CURRENTS_PROJECT_IDS")
    target = Target(
        "live", (env("CURRENTS_API_URL") or DEFAULT_BASE_URL).rstrip("/"), key, Ids(), allow_writes, write_project
    )
    with client_for(target) as client:
        target.ids = discover(client, projects, listed("CURRENTS_INSTANCE_IDS"))
    for note in target.ids.notes:
        print(f"contract: {note}")
    if not (target.ids.projects or target.ids.instances):
        raise UserError(
            "live mode found nothing to check: the key sees no project, and CURRENTS_PROJECT_IDS and "
            "CURRENTS_INSTANCE_IDS name none it may read"
        )
    print(
        f"contract: live API at {target.base_url}: {len(target.ids.projects)} project(s), {len(target.ids.runs)} "
        f"run(s), {len(target.ids.instances)} instance(s), {len(target.ids.signatures)} signature(s) discovered; "
        + (
            f"writes allowed in project {write_project} only"
            if allow_writes
            else "read-only (no cancel, reset or delete)"
        )
    )
    return target


def mock_ids(world: Any) -> Ids:
    """Ids of the mock's world: every project, the first runs, every corpus instance, a few signatures."""
    from contract_tests.mock_api.backend import MockBackend

    ids = Ids(projects=sorted(world.projects))
    runs = sorted(world.runs.values(), key=lambda r: r.cursor, reverse=True)
    ids.runs = [r.run_id for r in runs[:MOCK_EXAMPLE_RUNS]]
    ids.instances = sorted(i.instance_id for i in world.instances.values() if not i.source.startswith("generated"))
    executions = sorted(MockBackend(world).executions(), key=lambda e: e.signature)
    ids.signatures = sorted({e.signature for e in executions})[:3]
    known = {e.signature: e for e in executions if e.signature in ids.signatures}
    ids.tests = [
        {"projectId": e.run.project_id, "specFilePath": str(e.instance.data.get("spec")), "testTitle": e.title}
        for e in known.values()
    ]
    ids.window = MOCK_WINDOW
    ids.actions = sorted(world.actions)[:3]
    ids.webhooks = sorted(world.webhooks)[:2]
    return ids


LIVE_ONLY_VARIABLES = ("CURRENTS_INSTANCE_IDS", "CURRENTS_PROJECT_IDS", "CURRENTS_API_URL", "CURRENTS_WRITE_PROJECT_ID")


def refuse_live_mode_without_key() -> None:
    """A live-only variable without a key is a UserError: never a quiet run against the mock."""
    live_only = [name for name in LIVE_ONLY_VARIABLES if env(name)]
    if live_only and not env("CURRENTS_API_KEY"):
        raise UserError(
            f"{' and '.join(live_only)} set but CURRENTS_API_KEY is empty or missing: live mode needs the key "
            "(unset them to run against the mock)"
        )


@contextlib.contextmanager
def target() -> Iterator[Target]:
    """The live API when CURRENTS_API_KEY is set, else the mock, started here and stopped on exit.

    A live-only variable without a key is an error, never a quiet run against the mock: in CI a
    missing secret would otherwise turn into a passing build."""
    key = env("CURRENTS_API_KEY")
    refuse_live_mode_without_key()
    if key:
        yield live_target(key)
        return
    from contract_tests.mock_api.app import create_app
    from contract_tests.mock_api.keys import load_keys
    from contract_tests.mock_api.server import serve_in_thread

    extra = env("MOCK_API_KEY") or None
    keys = load_keys()
    demo = extra or (keys.first_with_every_project() or keys.keys[0]).value
    port = int(env("MOCK_PORT") or 0)
    app = create_app(extra_key=extra)
    ids = mock_ids(app.backend.world)
    with serve_in_thread(app, port=port) as base_url:
        world = app.backend.world
        print(f"contract: mock API on {base_url}: {len(world.projects)} projects, {len(world.runs)} runs")
        yield Target("mock", base_url, demo, ids, allow_writes=True)


def preflight(target: Target) -> None:
    """Fail early, in one line, when the key is refused or the API cannot be reached."""
    from currents_api_client import errors
    from currents_api_client.api.projects import list_projects

    with client_for(target, max_retries=1) as client:
        try:
            response = list_projects.sync_detailed(client=client, limit=1)
        except errors.APIConnectionError as error:
            raise UserError(target.scrubber.text(f"cannot reach the API: {error}")) from None
    if response.status_code == 401:
        raise UserError(f"the API key was refused by {target.base_url} (401): check CURRENTS_API_KEY")


def drop_writes(document: dict[str, Any]) -> list[str]:
    """Remove the write operations (and every link to them) from `document`; return their operationIds."""
    writes = sorted(op["operationId"] for _, method, op in operations(document) if is_write(method, op))
    for path, method, operation in list(operations(document)):
        if is_write(method, operation):
            del document["paths"][path][method]
    for _, _, operation in operations(document):
        for response in operation.get("responses", {}).values():
            links = response.get("links", {})
            for name in [n for n, link in links.items() if link.get("operationId") in writes]:
                del links[name]
    return writes


def pin_to_project(document: dict[str, Any], project_id: str) -> None:
    """Every `projectId` parameter accepts only `project_id`, and the projects listing (the one response that
    names other projects) is left out, so that every run a write operation reaches, by example or by link,
    belongs to the project set aside for writes. The spec marks that listing `account-wide`."""
    account_wide = {op["operationId"] for _, _, op in operations(document) if is_account_wide(op)}
    for path, method, operation in list(operations(document)):
        if is_account_wide(operation):
            del document["paths"][path][method]
            continue
        for parameter in operation.get("parameters", []):
            if parameter.get("name") == "projectId":
                parameter["schema"] = {"type": "string", "enum": [project_id]}
        for content in operation.get("requestBody", {}).get("content", {}).values():
            # a body that names a project (the test signature) names this one: a signature of another
            # project leads, through its test results, to that project's runs and their cancel and delete
            content.pop("examples", None)
            content.pop("example", None)
            schema = content.get("schema", {})
            if "$ref" in schema:
                schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
            if "projectId" in schema.get("properties", {}):
                schema["properties"]["projectId"] = {"type": "string", "enum": [project_id]}
        for response in operation.get("responses", {}).values():
            links = response.get("links", {})
            for name in [n for n, link in links.items() if link.get("operationId") in account_wide]:
                del links[name]
            for content in response.get("content", {}).values():
                # schemathesis feeds the ids of response examples to linked operations: the spec's examples
                # name runs of other (real) accounts, so none may reach a write operation
                content.pop("examples", None)
                content.pop("example", None)


def contract_document(target: Target) -> dict[str, Any]:
    """generated/openapi.json for this run: id examples from `target.ids`, writes removed unless allowed."""
    document: dict[str, Any] = json.loads((GENERATED / BUNDLED_NAME).read_text(encoding="utf-8"))
    parameters = document.get("components", {}).get("parameters", {})
    for _, _, operation in operations(document):
        resolved = []
        for parameter in operation.get("parameters", []):
            if "$ref" in parameter:  # inline shared parameters, so that each operation gets its own examples
                parameter = json.loads(json.dumps(parameters[parameter["$ref"].rsplit("/", 1)[-1]]))
            kind = ID_PARAMETERS.get(parameter.get("name", ""))
            values = getattr(target.ids, kind) if kind else []
            if values and parameter.get("in") in ("path", "query"):
                parameter.pop("example", None)
                parameter["examples"] = {f"{kind}{n}": {"value": v} for n, v in enumerate(values)}
            elif kind and target.mode == "live":
                # The spec's example ids name runs and projects of the accounts the docs show: never sent to
                # the real API (with writes allowed, cancel, reset and delete would take them).
                parameter.pop("example", None)
                parameter.pop("examples", None)
            resolved.append(parameter)
        if resolved:
            operation["parameters"] = resolved
    if not target.allow_writes:
        left_out = drop_writes(document)
        print(f"contract: read-only: {', '.join(left_out)} left out (CONTRACT_ALLOW_WRITES=1 enables them)")
    elif target.mode == "live" and target.write_project:
        pin_to_project(document, target.write_project)
        pin_settings(document)
    if target.mode == "live":
        dropped = drop_webhooks(document)
        print(f"contract: live: {', '.join(dropped)} left to the drift fetch (webhook headers hold secrets)")
    return document


def walk_document(
    document: dict[str, Any], window: tuple[str, str], tests: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """The contract document for the stateful phase: each read operation keeps only its required parameters
    (and `limit`), and required dates span `window`, so that listings return items whose links lead on.
    When `tests` are known, an operation the spec marks `body-from: known-tests` (POST /signature/test) asks
    for the signature of one of them, so that its link to the test's results finds results, and theirs to a
    run and an instance lead on.

    Random filters, cursors, periods and test titles almost always make a listing empty, and a link from an
    empty page leads nowhere: schemathesis reports each as "Failed to extract data from response", though the
    API answered as documented. The filters and bodies themselves are checked by the other phases."""
    walk: dict[str, Any] = json.loads(json.dumps(document))
    for _, method, operation in operations(walk):
        if takes_known_tests(operation) and tests:
            for media in operation["requestBody"]["content"].values():
                media["schema"] = {"enum": tests}
                media.pop("examples", None)
                media.pop("example", None)
        if method != "get":
            continue
        kept = []
        for parameter in operation.get("parameters", []):
            if parameter.get("in") == "path" or parameter.get("name") == "limit":
                kept.append(parameter)
            elif parameter.get("required"):
                if parameter.get("name") in ("date_start", "date_end"):
                    value = window[0] if parameter["name"] == "date_start" else window[1]
                    parameter["schema"] = {"type": "string", "enum": [value]}
                    parameter.pop("examples", None)
                kept.append(parameter)
        operation["parameters"] = kept
    return walk


def date_window(target: Target) -> tuple[str, str]:
    """The period the stateful walk asks listings about: the whole mock world, or live the period of the
    runs discovery found."""
    return target.ids.window or MOCK_WINDOW


def contract_specs(target: Target) -> tuple[Path, Path]:
    """Write the contract documents of `target` under reports/, for `st run`: one for the examples, coverage
    and fuzzing phases, and one for the stateful phase (`walk_document`)."""
    REPORTS.mkdir(exist_ok=True)
    document = contract_document(target)
    CONTRACT_SPEC.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    STATEFUL_SPEC.write_text(
        json.dumps(walk_document(document, date_window(target), target.ids.tests), indent=2) + "\n",
        encoding="utf-8",
    )
    return CONTRACT_SPEC, STATEFUL_SPEC


LIVE_CONFIG_CHANGES = {
    # No undeclared methods at all: the document live mode checks lacks the write operations, so even an
    # OPTIONS probe would find an `Allow` that lists more than the document declares.
    "[phases.coverage]\n": "unexpected-methods = []\n",
    # Only the spec's links: an inferred link could carry a run of another project to a write operation.
    "[phases.stateful]\n": "inference.algorithms = []\nlink-calibration = false\n",
}
UNEXPECTED_METHODS = re.compile(r"^unexpected-methods = .*\n", re.MULTILINE)


def live_config() -> str:
    """schemathesis.toml's text for live mode, with `LIVE_CONFIG_CHANGES` made in its tables."""
    text = UNEXPECTED_METHODS.sub("", CONFIG.read_text(encoding="utf-8"))
    for table, lines in LIVE_CONFIG_CHANGES.items():
        if text.count(table) != 1:
            raise UserError(f"{display_path(CONFIG)}: expected one {table.strip()} table")
        text = text.replace(table, table + lines)
    return text


def run_config(spec: Path, target: Target, suffix: str) -> Path:
    """The config of one `st run` under reports/: schemathesis.toml (live mode's changes made), with the
    per-operation tables that the `x-currents-contract` markers of `spec` ask for (scripts/contract_registry.py)."""
    base = live_config() if target.mode == "live" else CONFIG.read_text(encoding="utf-8")
    document = json.loads(spec.read_text(encoding="utf-8"))
    return write_config(base, document, REPORTS / f"schemathesis.{target.mode}{suffix}.toml")


def report_names(suffix: str) -> tuple[str, str, str]:
    """The JUnit, HTML and JSON reports of one `st run` under reports/ (`suffix` tells the stateful run's)."""
    return f"junit{suffix}.xml", f"html{suffix}", f"schemathesis{suffix}.json"


def schemathesis_command(
    spec: Path, target: Target, phases: str, private: Path, har: Path, suffix: str = ""
) -> list[str]:
    """The `st run` command line for `phases` of `spec` (never the key: it is in the environment). Its
    reports go to the `private` folder, to be copied into reports/ scrubbed (`run_schemathesis`)."""
    config = run_config(spec, target, suffix)
    junit, html, run_report = report_names(suffix)
    command = [sys.executable, "-m", "schemathesis.cli", "--config-file", str(config), "run", str(spec)]
    command += ["--url", target.base_url, "--phases", phases, "--output-truncate", "false"]
    command += ["--report", "har", "--report-har-path", str(har)]
    command += ["--report-junit-path", str(private / junit), "--report-html-path", str(private / html)]
    command += ["--report-json-path", str(private / run_report)]
    examples = positive_integer("CONTRACT_MAX_EXAMPLES", LIVE_MAX_EXAMPLES if target.mode == "live" else 0)
    if examples:
        command += ["--max-examples", str(examples)]
    if target.mode == "live":
        # unsupported_method sends every undeclared method (DELETE, PUT, PATCH, ...) to every path: never
        # to the real API, where a DELETE on a run's path is not a probe.
        command += ["--exclude-checks", "unsupported_method"]
        rate, seconds = live_budget()
        command += ["--rate-limit", f"{rate}/s", "--max-time", str(max(1, seconds // 2))]
    return command


PHASES = ("examples", "coverage", "fuzzing", "stateful")


def contract_phases() -> list[str]:
    """The schemathesis phases to run: `CONTRACT_PHASES` (comma-separated), or all four."""
    text = env("CONTRACT_PHASES")
    if not text:
        return list(PHASES)
    chosen = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [part for part in chosen if part not in PHASES]
    if unknown or not chosen:
        raise UserError(f"CONTRACT_PHASES must name phases among {', '.join(PHASES)}, not {text!r}")
    return chosen


def positive_integer(name: str, default: int) -> int:
    text = env(name)
    if not text:
        return default
    if not (text.isascii() and text.isdigit() and int(text) > 0):
        raise UserError(f"{name} must be a positive integer, not {text!r}")
    return int(text)


def live_budget() -> tuple[int, int]:
    """Live mode's rate (requests a second) and time budget (seconds) for schemathesis."""
    return positive_integer("CONTRACT_RATE_LIMIT", LIVE_RATE_LIMIT), positive_integer(
        "CONTRACT_MAX_TIME", LIVE_MAX_TIME
    )


def copy_scrubbed(source: Path, destination: Path, scrubber: Scrubber) -> None:
    """Copy a report file or folder with the key scrubbed from every file."""
    if source.is_dir():
        for path in sorted(source.rglob("*")):
            if path.is_file():
                copy_scrubbed(path, destination / path.relative_to(source), scrubber)
        return
    destination.parent.mkdir(parents=True, exist_ok=True)
    destination.write_bytes(scrubber.bytes(source.read_bytes()))


# schemathesis lists the links of the stateful phase it could not follow under this heading, even in a run that
# passes. With the walk document (`walk_document`) each one is a page that had no item to follow: a listing the
# walk's own deletes and resets emptied. Said under the heading, so that a passing run does not read as failed.
EXTRACTION_HEADING = b"Failed to extract data from response:"
STATEFUL_NOTE = (
    b"contract: not a failure: each link below found an empty page to follow (a listing the stateful walk's own "
    b"deletes and resets emptied); failures are listed as failures\n"
)


def report_line(line: bytes, scratch: Path | None) -> bytes:
    """schemathesis names its reports in the private folder, deleted once they are copied: name them in
    reports/, where they are. The HAR stays private (it only counts the requests), so its line says so."""
    if scratch is None or bytes(scratch) not in line:
        return line
    if b"HAR:" in line:
        return line.split(b"HAR:")[0] + b"HAR: not kept (it only counts the requests sent)\n"
    return line.replace(bytes(scratch), display_path(REPORTS).encode())


def pump(source: IO[bytes], sink: IO[bytes], scrubber: Scrubber, scratch: Path | None = None) -> None:
    """Copy `source` to `sink` line by line, scrubbed, as it comes (schemathesis's live progress); a note follows
    schemathesis's heading of the links it could not follow (`STATEFUL_NOTE`), and its report paths are named
    where the reports are kept (`report_line`)."""
    for line in iter(source.readline, b""):
        sink.write(scrubber.bytes(report_line(line, scratch)))
        if line.strip() == EXTRACTION_HEADING:
            sink.write(STATEFUL_NOTE)
        sink.flush()


def run_scrubbed(
    command: list[str], environment: dict[str, str], scrubber: Scrubber, scratch: Path | None = None
) -> int:
    """Run `command` with its standard output and error scrubbed on their way to ours."""
    process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    errors = threading.Thread(target=pump, args=(process.stderr, sys.stderr.buffer, scrubber), daemon=True)
    errors.start()
    try:
        pump(process.stdout, sys.stdout.buffer, scrubber, scratch)
        status = process.wait()
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait()
        errors.join()
    return status


def run_schemathesis(specs: tuple[Path, Path], target: Target, scratch: Path) -> tuple[int, int]:
    """Run the examples, coverage and fuzzing phases, then the stateful phase; return the worse exit status
    and how many requests schemathesis sent (counted from its HAR reports, kept out of reports/).

    A server may echo the key into a body that schemathesis prints or reports, so its output is scrubbed on
    the way to the terminal, and its reports are written to the private `scratch` folder and copied into
    reports/ scrubbed. Responses are printed untruncated, so no cut leaves part of a key."""
    environment = {**os.environ, "CONTRACT_API_KEY": target.api_key}
    scrubber = target.scrubber
    statuses, sent = [], 0
    chosen = contract_phases()
    first = ",".join(phase for phase in PHASES if phase != "stateful" and phase in chosen)
    runs = [(specs[0], first, "")] if first else []
    if "stateful" in chosen:
        runs.append((specs[1], "stateful", "-stateful"))
    for n, (spec, phases, suffix) in enumerate(runs):
        har = scratch / f"requests-{n}.har"
        command = schemathesis_command(spec, target, phases, scratch, har, suffix)
        shown = " ".join(command[command.index("run") : command.index("--output-truncate")])
        config = command[command.index("--config-file") + 1]
        print(f"contract: st {shown} (config {display_path(Path(config))})", flush=True)
        statuses.append(run_scrubbed(command, environment, scrubber, scratch))
        sent += har_requests(har)
        for name in report_names(suffix):
            destination = REPORTS / name
            if destination.is_dir():
                shutil.rmtree(destination)
            elif destination.exists():
                destination.unlink()
            if (scratch / name).exists():
                copy_scrubbed(scratch / name, destination, scrubber)
    return max(statuses), sent


def har_requests(har: Path) -> int:
    """How many requests a HAR file records (0 when schemathesis wrote none)."""
    try:
        return len(json.loads(har.read_text(encoding="utf-8"))["log"]["entries"])
    except (OSError, ValueError, KeyError, TypeError):
        return 0


def read_operations(target: Target) -> list[tuple[str, str, Callable[..., Any]]]:
    """One call of every read operation, as (operationId, what it reads, a call that takes `client=`)."""
    import datetime as dt

    from currents_api_client.api.instances import get_instance
    from currents_api_client.api.projects import get_project, list_projects
    from currents_api_client.api.runs import find_run, get_run, list_project_runs
    from currents_api_client.api.signature import get_test_signature
    from currents_api_client.api.spec_files import list_spec_files
    from currents_api_client.api.test_results import get_test_results
    from currents_api_client.api.tests import list_tests
    from currents_api_client.models import TestSignatureRequest

    ids = target.ids
    end = dt.datetime.now(dt.UTC)
    start, stop = (end - dt.timedelta(days=3650)).isoformat(), end.isoformat()
    calls: list[tuple[str, str, Callable[..., Any]]] = [
        ("listProjects", "projects", partial(list_projects.sync_detailed))
    ]
    for project in ids.projects[:3]:
        calls += [
            ("getProject", project, partial(get_project.sync_detailed, project)),
            ("listProjectRuns", project, partial(list_project_runs.sync_detailed, project)),
            ("findRun", project, partial(find_run.sync_detailed, project_id=project)),
            (
                "listSpecFiles",
                project,
                partial(list_spec_files.sync_detailed, project, date_start=start, date_end=stop),
            ),
            ("listTests", project, partial(list_tests.sync_detailed, project, date_start=start, date_end=stop)),
        ]
    for run_id in ids.runs[:6]:
        calls.append(("getRun", run_id, partial(get_run.sync_detailed, run_id)))
    for signature in ids.signatures[:2]:
        results = partial(get_test_results.sync_detailed, signature, date_start=start, date_end=stop)
        calls.append(("getTestResults", signature, results))
    if ids.projects:
        body = TestSignatureRequest.from_dict(
            {"projectId": ids.projects[0], "specFilePath": "contract/check.spec.ts", "testTitle": ["contract", "check"]}
        )
        calls.append(("getTestSignature", ids.projects[0], partial(get_test_signature.sync_detailed, body=body)))
    for instance_id in ids.instances:
        calls.append(("getInstance", instance_id, partial(get_instance.sync_detailed, instance_id)))
    calls += settings_calls(target)
    if target.allow_writes and ids.runs:
        calls += write_operations(ids.runs[-1])
    return calls


def write_operations(run_id: str) -> list[tuple[str, str, Callable[..., Any]]]:
    """Reset, cancel and delete one run, in that order (only where writes are allowed)."""
    from currents_api_client.api.runs import cancel_run, delete_run, get_run, reset_run
    from currents_api_client.models import RunResetRequest

    def reset(*, client: Any) -> Any:
        specs = get_run.sync(run_id, client=client).data.specs or []
        machines = sorted({spec.machine_id for spec in specs if spec.machine_id}) or ["none"]
        return reset_run.sync_detailed(run_id, client=client, body=RunResetRequest(machine_id=machines[:1]))

    return [
        ("resetRun", run_id, reset),
        ("cancelRun", run_id, partial(cancel_run.sync_detailed, run_id)),
        ("deleteRun", run_id, partial(delete_run.sync_detailed, run_id)),
    ]


def fetch_and_inspect(target: Target) -> tuple[list[Finding], list[str], set[str]]:
    """One response of every read operation, fetched and decoded with the generated client, then inspected
    for drift. Problems are responses that are not a decodable 200 (a 404 for a listing's find is expected)."""
    from currents_api_client import errors

    documents = Documents.load()
    scrubber = target.scrubber
    findings, problems, covered = [], [], set()
    with client_for(target) as client:
        for operation_id, subject, call in read_operations(target):
            source = f"{operation_id} {subject}"
            try:
                response = call(client=client)
            except (errors.CurrentsError, *errors.DECODE_ERRORS) as error:
                reason = scrubber.text(errors.describe(error))
                problems.append(f"{source}: the client cannot decode it: {reason}")
                continue
            if not expected_status(operation_id, response.status_code, target.mode):
                if not (operation_id == "findRun" and response.status_code == 404):
                    shown = repr(scrubber.bytes(response.content))[:MAX_BODY_SHOWN]  # scrubbed, then cut
                    problems.append(f"{source}: HTTP {int(response.status_code)} {shown}")
                continue
            if response.status_code not in (200, 201):  # an expected error answer: nothing to inspect
                continue
            if response.parsed is None:
                problems.append(f"{source}: the client did not decode the 200 body")
                continue
            # The key scrubbed before anything of the body can be printed, or saved in drift.json.
            body = scrubber.data(json.loads(response.content))
            if "Webhook" in operation_id:
                body = scrub_webhook_headers(body)
            if operation_id == "getInstance":
                finding = inspect(documents, source, body)
            elif operation_id in ("getRun", "findRun"):  # a run is matched to its runner variant first
                finding = inspect(documents, source, body, union="Run", envelope="RunResponse")
            else:
                finding = inspect_operation(documents, source, operation_id, body, int(response.status_code))
            finding.operation = operation_id
            problems += [f"{source}: {line}" for line in finding.violations]
            findings.append(finding)
            covered.add(operation_id)
    return findings, problems, covered


def main(argv: list[str] | None = None) -> int:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args(argv)
    for name, default in (("CONTRACT_MAX_EXAMPLES", 1), ("CONTRACT_RATE_LIMIT", 1), ("CONTRACT_MAX_TIME", 1)):
        positive_integer(name, default)  # a bad number is refused before anything is sent
    contract_phases()  # and so are unknown phases
    for stale in (SUMMARY_NAME, "schemathesis.json", "junit.xml", "schemathesis-stateful.json", "junit-stateful.xml"):
        (REPORTS / stale).unlink(missing_ok=True)  # never leave an earlier run's verdict behind
    refuse_live_mode_without_key()  # before anything else runs
    regenerate_if_needed()
    strict = env("CONTRACT_STRICT") not in ("", "0")
    with target() as chosen, tempfile.TemporaryDirectory() as scratch, cleanup(chosen, client_for):
        preflight(chosen)
        specs = contract_specs(chosen)
        findings, problems, covered = fetch_and_inspect(chosen)
        schemathesis_status, sent_by_schemathesis = run_schemathesis(specs, chosen, Path(scratch))
    fields = summarise(findings)
    DRIFT_REPORT.write_text(
        json.dumps(
            {
                "mode": chosen.mode,
                "responses": len(findings),
                "operations": sorted(covered),
                "fields": [f.as_json() for f in fields],
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    print("\n".join(format_report(fields, len(findings))))
    failed = schemathesis_status != 0 or bool(problems) or (strict and bool(fields))
    for line in problems:
        print(f"contract: {line}", file=sys.stderr)
    summary = write_summary(
        REPORTS,
        failed=failed,
        mode=chosen.mode,
        base_url=chosen.base_url,
        strict=strict,
        problems=problems,
        secret=chosen.api_key,
    )
    bound = f" (at most {live_budget()[0] * live_budget()[1]} by schemathesis)" if chosen.mode == "live" else ""
    print(
        f"contract: {sent_by_schemathesis + chosen.counter.sent} requests sent: {sent_by_schemathesis} by "
        f"schemathesis, {chosen.counter.sent} by discovery and the drift fetch{bound}"
    )
    print(
        f"contract: {'FAILED' if failed else 'passed'} against the {chosen.mode} API: schemathesis exit "
        f"{schemathesis_status}, {len(findings)} responses of {len(covered)} operations decoded, "
        f"{len(problems)} problem(s), {len(fields)} drift field(s)"
        f"{' (CONTRACT_STRICT=1: drift fails)' if strict and fields else ''}; reports in {display_path(REPORTS)}/, "
        f"summary in {display_path(summary)}"
    )
    return EXIT_FAILED if failed else EXIT_OK


if __name__ == "__main__":
    run(main)
