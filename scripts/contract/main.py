"""The main job: check that the spec, the generated client and the API agree (`make contract`).

Mock mode, without `CURRENTS_API_KEY`: the embedded mock API (contract_tests/mock_api) is started on a free
loopback port (on `MOCK_PORT` when that is set) and every operation is checked, writes included: the mock
keeps its state in its own process. No request leaves the machine.

Live mode, with `CURRENTS_API_KEY`: the real API at `CURRENTS_API_URL` (default production) is checked.
It never falls back to the mock: a live-mode variable (`CURRENTS_INSTANCE_IDS`, `CURRENTS_PROJECT_IDS`,
`CURRENTS_API_URL`, `CURRENTS_WRITE_PROJECT_ID`) set with an empty or missing key is an error (exit 2).
- Ids are discovered (`scripts.contract.discovery`): the projects of `CURRENTS_PROJECT_IDS` (or those the key sees),
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
3. Call every operation once or more with the generated client, as the spec plans it (`scripts.contract.plan`:
   the reads, and where writes are allowed the life cycles of what it creates and the writes on one run): each
   answer must be the expected one and decode, and the fields
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
5. Write `reports/summary.md` (scripts/contract/summary.py): the verdict, the API, schemathesis's counts per
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
import json
import sys
import tempfile
from pathlib import Path

from kit._cli import EXIT_FAILED, EXIT_OK, display_path
from scripts.contract import REPORTS
from scripts.contract.documents import checked_document, contract_specs
from scripts.contract.drift import format_report, summarise
from scripts.contract.fetch import fetch_and_inspect
from scripts.contract.schemathesis_run import contract_phases, live_budget, positive_integer, run_schemathesis
from scripts.contract.settings import cleanup
from scripts.contract.summary import SUMMARY_NAME
from scripts.contract.summary import write as write_summary
from scripts.contract.target import client_for, env, preflight, refuse_live_mode_without_key, target
from scripts.spec.check_generated import compare
from scripts.spec.generate import generate
from scripts.spec.sources import GENERATED

DRIFT_REPORT = REPORTS / "drift.json"


def regenerate_if_needed() -> None:
    stale = compare()[2]
    if stale:
        print(
            f"contract: {display_path(GENERATED)}/ was out of date with its sources ({len(stale)} files); regenerating"
        )
        generate()


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
        document, unserved = checked_document(chosen)
        if unserved:
            print(f"contract: the mock does not serve {', '.join(unserved)}: left out of every check")
        findings, problems, covered = fetch_and_inspect(chosen, document, client_for)
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
