"""The main job: check that the spec, the generated client and the API agree (`make contract`).

Mock mode, without `CURRENTS_API_KEY`: the embedded mock API (contract_tests/mock_api) is started on
a free loopback port (on `MOCK_PORT` when that is set) and every instance it holds is checked. No
request leaves the machine.

Live mode, with `CURRENTS_API_KEY`: the real API at `CURRENTS_API_URL` (default production) is
checked, fetching the instances listed in `CURRENTS_INSTANCE_IDS` (comma-separated), since random ids
only meet 404. Live mode never falls back to the mock: `CURRENTS_INSTANCE_IDS` or `CURRENTS_API_URL`
set (non-blank) with an empty or missing `CURRENTS_API_KEY` is an error (exit 2).

Steps:
1. Regenerate `generated/` if its sources changed since it was generated.
2. Write `reports/openapi.contract.json`: `generated/openapi.json` with the instance ids to fetch as
   the examples of the `instanceId` parameter, so that schemathesis fetches real instances.
3. Run the schemathesis CLI (`st run`) with `schemathesis.toml`: the examples, coverage and fuzzing
   phases with every check. Its progress and summary are printed as it runs; the JUnit XML and the
   HTML report go under `reports/`.
4. Fetch every instance with the generated client; each must decode to a runner variant. Fields that
   the strict contract overlay refuses are reported as drift, with an example value and how many
   responses had them, and written to `reports/drift.json`. Drift is a warning, or a failure with
   `CONTRACT_STRICT=1`.
5. Write `reports/summary.md` (scripts/summary.py): the verdict, the API, schemathesis's counts per
   phase, the JUnit totals, the drift table and the problems, in Markdown for CI's job summary.

Secrets: the key reaches schemathesis through its environment, never its command line, and
schemathesis filters `Authorization` from its output and reports. A server may still echo the key in a
body or a header: schemathesis's output is scrubbed on its way to the terminal, its reports are written to
a private temporary folder and copied into `reports/` scrubbed, and every body is scrubbed before the
drift report or a problem line shows any of it (`scripts.scrub`). No output or report holds the key.

Exit status: 0 when everything agrees; 1 when a check fails or a response does not decode (or on
drift with CONTRACT_STRICT=1); 2 for unusable input (no instance ids in live mode, a live-mode
variable without a key, a key the client or the API refuses, an unreachable API), as one line.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from scripts._cli import EXIT_FAILED, EXIT_OK, ROOT, UserError, display_path, run
from scripts.check_generated import compare
from scripts.drift import Documents, Finding, format_report, inspect, summarise
from scripts.generate import BUNDLED_NAME, GENERATED, generate
from scripts.scrub import Scrubber
from scripts.summary import SUMMARY_NAME
from scripts.summary import write as write_summary

REPORTS = ROOT / "reports"
CONFIG = ROOT / "schemathesis.toml"
CONTRACT_SPEC = REPORTS / "openapi.contract.json"
DRIFT_REPORT = REPORTS / "drift.json"
PARAMETER = "instanceId"
SCHEMATHESIS_REPORTS = ("junit.xml", "html", "schemathesis.json")  # what `st run` writes, privately first
MAX_BODY_SHOWN = 200
# The operations the embedded mock serves today; the others are left out of the schemathesis run (and said so)
# until the mock serves them. Live mode checks the same set, so a contract run never calls a write operation.
CHECKED_OPERATIONS = frozenset({"getInstance"})


@dataclass(frozen=True)
class Target:
    """What the checks run against: a base URL, a key, and the instance ids to fetch."""

    mode: str  # "mock" or "live"
    base_url: str
    api_key: str = field(repr=False)
    instance_ids: tuple[str, ...]

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


LIVE_ONLY_VARIABLES = ("CURRENTS_INSTANCE_IDS", "CURRENTS_API_URL")


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
        from currents_api_client.client import DEFAULT_BASE_URL

        ids = tuple(i.strip() for i in env("CURRENTS_INSTANCE_IDS").split(",") if i.strip())
        if not ids:
            raise UserError(
                "live mode needs CURRENTS_INSTANCE_IDS: the comma-separated instance ids to fetch "
                "(random ids only meet 404)"
            )
        yield Target("live", (env("CURRENTS_API_URL") or DEFAULT_BASE_URL).rstrip("/"), key, ids)
        return
    from contract_tests.mock_api.app import create_app
    from contract_tests.mock_api.corpus import load_instances
    from contract_tests.mock_api.keys import load_keys
    from contract_tests.mock_api.server import serve_in_thread

    extra = env("MOCK_API_KEY") or None
    keys = load_keys()
    demo = extra or (keys.first_with_every_project() or keys.keys[0]).value
    ids = tuple(sorted(i.decode() for i in load_instances()))
    port = int(env("MOCK_PORT") or 0)
    with serve_in_thread(create_app(extra_key=extra), port=port) as base_url:
        print(f"contract: mock API on {base_url}, {len(ids)} instances")
        yield Target("mock", base_url, demo, ids)


def preflight(target: Target) -> None:
    """Fail early, in one line, when the key is refused or the API cannot be reached."""
    from currents_api_client import AuthenticatedClient, errors
    from currents_api_client.api.instances import get_instance

    try:
        client = AuthenticatedClient(token=target.api_key, base_url=target.base_url, max_retries=1)
    except (TypeError, ValueError) as error:  # a key the client refuses (too short, control characters)
        raise UserError(target.scrubber.text(f"CURRENTS_API_KEY or CURRENTS_API_URL cannot be used: {error}")) from None
    with client:
        try:
            response = get_instance.sync_detailed(target.instance_ids[0], client=client)
        except errors.APIConnectionError as error:
            raise UserError(target.scrubber.text(f"cannot reach the API: {error}")) from None
    if response.status_code == 401:
        raise UserError(f"the API key was refused by {target.base_url} (401): check CURRENTS_API_KEY")


def select_operations(document: dict[str, Any]) -> list[str]:
    """Keep only CHECKED_OPERATIONS in `document` (and no links to the others); return the operationIds left out."""
    left_out = []
    for path, item in list(document["paths"].items()):
        for method, operation in list(item.items()):
            if not isinstance(operation, dict) or "operationId" not in operation:
                continue
            if operation["operationId"] in CHECKED_OPERATIONS:
                for response in operation.get("responses", {}).values():
                    response.pop("links", None)
            else:
                left_out.append(operation["operationId"])
                del item[method]
        if not any(isinstance(o, dict) and "operationId" in o for o in item.values()):
            del document["paths"][path]
    return sorted(left_out)


def contract_document(instance_ids: tuple[str, ...]) -> dict[str, Any]:
    """generated/openapi.json, reduced to CHECKED_OPERATIONS, with `instance_ids` as the examples of the
    instanceId path parameter."""
    document: dict[str, Any] = json.loads((GENERATED / BUNDLED_NAME).read_text(encoding="utf-8"))
    left_out = select_operations(document)
    if left_out:
        print(
            f"contract: checking {', '.join(sorted(CHECKED_OPERATIONS))} only: the mock does not serve "
            f"{len(left_out)} operation(s) yet, left out: {', '.join(left_out)}",
            flush=True,
        )
    for item in document["paths"].values():
        for operation in item.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                if parameter.get("name") == PARAMETER and parameter.get("in") == "path":
                    parameter["examples"] = {f"instance{n}": {"value": i} for n, i in enumerate(instance_ids)}
    return document


def contract_spec(target: Target) -> Path:
    """Write the contract document of `target` under reports/, for `st run`."""
    REPORTS.mkdir(exist_ok=True)
    CONTRACT_SPEC.write_text(json.dumps(contract_document(target.instance_ids), indent=2) + "\n", encoding="utf-8")
    return CONTRACT_SPEC


def copy_scrubbed(source: Path, destination: Path, scrubber: Scrubber) -> None:
    """Copy a report file or folder with the key scrubbed from every file."""
    if source.is_dir():
        for path in sorted(source.rglob("*")):
            if path.is_file():
                copy_scrubbed(path, destination / path.relative_to(source), scrubber)
        return
    destination.parent.mkdir(parents=True, exist_ok=True)
    destination.write_bytes(scrubber.bytes(source.read_bytes()))


def pump(source: IO[bytes], sink: IO[bytes], scrubber: Scrubber) -> None:
    """Copy `source` to `sink` line by line, scrubbed, as it comes (schemathesis's live progress)."""
    for line in iter(source.readline, b""):
        sink.write(scrubber.bytes(line))
        sink.flush()


def run_schemathesis(spec: Path, target: Target) -> int:
    """`st run` against `target`. A server may echo the key into a body that schemathesis prints or reports,
    so its output is scrubbed on the way to the terminal, and its reports are written to a private folder
    and copied into reports/ scrubbed. Responses are printed untruncated, so no cut leaves part of a key."""
    scrubber = target.scrubber
    with tempfile.TemporaryDirectory(prefix="contract-reports-") as private:
        command = [
            sys.executable,
            "-m",
            "schemathesis.cli",
            "--config-file",
            str(CONFIG),
            "run",
            str(spec),
            "--url",
            target.base_url,
            "--output-truncate",
            "false",
            "--report-junit-path",
            str(Path(private) / "junit.xml"),
            "--report-html-path",
            str(Path(private) / "html"),
            "--report-json-path",
            str(Path(private) / "schemathesis.json"),
        ]
        environment = {**os.environ, "CONTRACT_API_KEY": target.api_key}
        print(
            f"contract: st run {display_path(spec)} --url {target.base_url} (config {display_path(CONFIG)})",
            flush=True,
        )
        process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert process.stdout is not None and process.stderr is not None
        errors = threading.Thread(target=pump, args=(process.stderr, sys.stderr.buffer, scrubber), daemon=True)
        errors.start()
        try:
            pump(process.stdout, sys.stdout.buffer, scrubber)
            status = process.wait()
        finally:
            if process.poll() is None:
                process.terminate()
                process.wait()
            errors.join()
        for name in SCHEMATHESIS_REPORTS:
            destination = REPORTS / name
            if destination.is_dir():
                shutil.rmtree(destination)
            elif destination.exists():
                destination.unlink()
            if (Path(private) / name).exists():
                copy_scrubbed(Path(private) / name, destination, scrubber)
    return status


def fetch_and_inspect(target: Target) -> tuple[list[Finding], list[str]]:
    """Every instance fetched with the generated client; problems are responses that are not a decodable 200."""
    from currents_api_client import AuthenticatedClient, errors
    from currents_api_client.api.instances import get_instance
    from currents_api_client.models import InstanceResponse

    documents = Documents.load()
    scrubber = target.scrubber
    findings, problems = [], []
    with AuthenticatedClient(token=target.api_key, base_url=target.base_url) as client:
        for instance_id in target.instance_ids:
            try:
                response = get_instance.sync_detailed(instance_id, client=client)
                if response.status_code != 200:
                    shown = repr(scrubber.bytes(response.content))[:MAX_BODY_SHOWN]  # scrubbed, then cut
                    problems.append(f"{instance_id}: HTTP {int(response.status_code)} {shown}")
                    continue
                # The key scrubbed before anything of the body can be printed, or saved in drift.json.
                body = scrubber.data(json.loads(response.content))
                InstanceResponse.from_dict(body)
            except (errors.CurrentsError, *errors.DECODE_ERRORS) as error:
                reason = scrubber.text(errors.describe(error))
                problems.append(f"{instance_id}: the client cannot decode it: {reason}")
                continue
            finding = inspect(documents, instance_id, body)
            problems += [f"{instance_id}: {line}" for line in finding.violations]
            findings.append(finding)
    return findings, problems


def main(argv: list[str] | None = None) -> int:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args(argv)
    (REPORTS / SUMMARY_NAME).unlink(missing_ok=True)  # never leave an earlier run's verdict behind
    refuse_live_mode_without_key()  # before anything else runs
    regenerate_if_needed()
    strict = env("CONTRACT_STRICT") not in ("", "0")
    with target() as chosen:
        preflight(chosen)
        schemathesis_status = run_schemathesis(contract_spec(chosen), chosen)
        findings, problems = fetch_and_inspect(chosen)
    fields = summarise(findings)
    DRIFT_REPORT.write_text(
        json.dumps({"mode": chosen.mode, "responses": len(findings), "fields": [f.__dict__ for f in fields]}, indent=2)
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
    print(
        f"contract: {'FAILED' if failed else 'passed'} against the {chosen.mode} API: schemathesis exit "
        f"{schemathesis_status}, {len(findings)} instances decoded, {len(problems)} problem(s), "
        f"{len(fields)} drift field(s){' (CONTRACT_STRICT=1: drift fails)' if strict and fields else ''}; "
        f"reports in {display_path(REPORTS)}/, summary in {display_path(summary)}"
    )
    return EXIT_FAILED if failed else EXIT_OK


if __name__ == "__main__":
    run(main)
