"""Write `reports/summary.md`: the contract run as a page people read (the last step of `make contract`).

Scope: reads what the run left under `reports/`: schemathesis's JSON run report (`schemathesis.json`), its
JUnit report (`junit.xml`, read with junitparser) and the drift report (`drift.json`), and writes one page of
GitHub-flavoured Markdown: the verdict, which API the run checked, schemathesis's counts per phase and in
total, the JUnit totals, the drift table (field, example value, responses) and the problems. The numbers are
the reports' own, copied, never recomputed. CI appends the page to the job summary (`$GITHUB_STEP_SUMMARY`).

Secrets: every text that reaches the page goes through `kit.scrub.Scrubber`, the one scrubber of the kit,
which replaces the API key in every form an echo of it takes (raw, JSON-, HTML- or XML-escaped, percent-encoded,
a bytes repr), so the page never holds it, even when an API echoes the key back in a body.

Limits: a report the run did not write (schemathesis crashed, say) is named as missing, not guessed.
Exit status: not a script; `scripts/contract/main.py` calls `write` after the drift report is written.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import junitparser

from kit.scrub import Scrubber

SUMMARY_NAME = "summary.md"
SCHEMATHESIS_NAME = "schemathesis.json"
JUNIT_NAME = "junit.xml"
STATEFUL_RUN_NAME = "schemathesis-stateful.json"
STATEFUL_JUNIT_NAME = "junit-stateful.xml"
DRIFT_NAME = "drift.json"
PHASES = ("examples", "coverage", "fuzzing", "stateful")
RATE_KEYS = ("accepted", "rejected", "unreachable", "conflicts")
EXAMPLE_WIDTH = 80


def cell(text: str, *, code: bool = False, width: int | None = None) -> str:
    """`text` as one Markdown table cell: one line, pipes escaped, optionally shortened and set as code."""
    flat = " ".join(str(text).split())
    if width is not None and len(flat) > width:
        flat = flat[: width - 3] + "..."
    flat = flat.replace("|", "\\|")
    if code:
        fence = "``" if "`" in flat else "`"
        pad = " " if flat.startswith("`") or flat.endswith("`") else ""
        flat = f"{fence}{pad}{flat}{pad}{fence}"
    return flat


def counted(number: int, noun: str) -> str:
    """`1 test`, `2 tests`, `0 tests`."""
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _read_json(path: Path, scrubber: Scrubber) -> Any:
    """The parsed report, scrubbed before anything of it is shortened."""
    try:
        return scrubber.data(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return None


def junit_totals(path: Path) -> dict[str, int] | None:
    """tests, failures, errors and skipped, summed over the suites of a JUnit XML report."""
    try:
        report = junitparser.JUnitXml.fromfile(str(path))
    except (OSError, junitparser.JUnitXmlError, SyntaxError):
        return None
    suites = [report] if isinstance(report, junitparser.TestSuite) else list(report)
    return {
        key: sum(int(getattr(suite, key) or 0) for suite in suites)
        for key in ("tests", "failures", "errors", "skipped")
    }


def _phase_rows(report: dict[str, Any]) -> Iterable[str]:
    rates: dict[str, dict[str, int]] = {}
    for phases in (report.get("valid_rates") or {}).values():
        for phase, counts in phases.items():
            totals = rates.setdefault(phase, dict.fromkeys(RATE_KEYS, 0))
            for key in RATE_KEYS:
                totals[key] += int(counts.get(key, 0))
    yield "| phase | status | " + " | ".join(RATE_KEYS) + " |"
    yield "|---|---|" + "---:|" * len(RATE_KEYS)
    for phase in PHASES:
        state = (report.get("phases") or {}).get(phase) or {}
        if state.get("skip_reason") == "disabled":
            continue  # not a phase of this run (make contract runs the stateful phase on its own)
        status = str(state.get("status", "not run"))
        if state.get("skip_reason"):
            status += f" ({state['skip_reason']})"
        counts = rates.get(phase)
        numbers = [str(counts[key]) if counts else "" for key in RATE_KEYS]
        yield f"| {phase} | {cell(status)} | " + " | ".join(numbers) + " |"


def _schemathesis_section(
    reports: Path,
    scrubber: Scrubber,
    title: str = "schemathesis",
    run_name: str = SCHEMATHESIS_NAME,
    junit_name: str = JUNIT_NAME,
) -> list[str]:
    lines = [f"## {title}", ""]
    report = _read_json(reports / run_name, scrubber)
    if not isinstance(report, dict):
        lines += [f"schemathesis wrote no run report (`{run_name}`).", ""]
    else:
        cases = report.get("test_cases") or {}
        operations = report.get("operations") or {}
        lines += [*_phase_rows(report), ""]
        lines.append(
            f"Test cases: {cases.get('generated', 0)} generated, {cases.get('with_failures', 0)} with failures, "
            f"{cases.get('unique_failures', 0)} unique failures, {cases.get('errored', 0)} errored, "
            f"{cases.get('without_checks', 0)} without checks. Operations: {operations.get('tested', 0)} tested "
            f"of {operations.get('selected', 0)} selected. schemathesis exit code: {report.get('exit_code', '?')}."
        )
        lines.append("")
        groups = [("failure", g) for g in report.get("failures") or []] + [
            ("error", g) for g in report.get("errors") or []
        ]
        if groups:
            lines += ["| failure or error | count | operations |", "|---|---:|---|"]
            for kind, group in groups[:50]:
                title = f"{kind}: {group.get('title', '?')}"
                operations = ", ".join(str(o) for o in group.get("operations") or [])
                lines.append(f"| {cell(title, width=160)} | {group.get('count', 0)} | {cell(operations, width=160)} |")
            lines.append("")
    totals = junit_totals(reports / junit_name)
    if totals is None:
        lines += [f"No JUnit report (`{junit_name}`).", ""]
    else:
        lines += [
            f"JUnit (`{junit_name}`): {counted(totals['tests'], 'test')}, {counted(totals['failures'], 'failure')}, "
            f"{counted(totals['errors'], 'error')}, {totals['skipped']} skipped.",
            "",
        ]
    return lines


def _schemathesis_sections(reports: Path, scrubber: Scrubber) -> list[str]:
    """The schemathesis run, and its stateful run when `make contract` made one (it runs it on its own)."""
    lines = _schemathesis_section(reports, scrubber)
    if (reports / STATEFUL_RUN_NAME).exists():
        title = "schemathesis: the stateful phase"
        lines += _schemathesis_section(reports, scrubber, title, STATEFUL_RUN_NAME, STATEFUL_JUNIT_NAME)
    return lines


def _drift_section(reports: Path, strict: bool, scrubber: Scrubber) -> list[str]:
    lines = ["## Drift", ""]
    drift = _read_json(reports / DRIFT_NAME, scrubber)
    if not isinstance(drift, dict):
        return [*lines, f"No drift report (`{DRIFT_NAME}`).", ""]
    fields, responses = drift.get("fields") or [], drift.get("responses", 0)
    if not fields:
        return [*lines, f"None: every field of the {responses} response(s) is in the spec.", ""]
    effect = "fails the run (`CONTRACT_STRICT=1`)" if strict else "a warning; `CONTRACT_STRICT=1` makes it fail"
    lines += [
        f"{len(fields)} field(s) the spec does not list, in {responses} response(s): {effect}.",
        "",
        "| field | operations | example value (JSON) | responses |",
        "|---|---|---|---:|",
    ]
    for field in fields:
        path = cell(field.get("path", "?"), code=True)
        operations = cell(", ".join(str(o) for o in field.get("operations") or []))
        example = cell(json.dumps(field.get("example"), ensure_ascii=False), code=True, width=EXAMPLE_WIDTH)
        lines.append(f"| {path} | {operations} | {example} | {field.get('responses', 0)} of {responses} |")
    return [*lines, ""]


def render(
    reports: Path, *, failed: bool, mode: str, base_url: str, strict: bool, problems: list[str], secret: str
) -> str:
    """The page, from the reports under `reports`, with `secret` redacted from every line."""
    where = "the real API" if mode == "live" else "the embedded mock API"
    scrubber = Scrubber(secret)
    lines = [
        f"# Contract check: {'FAILED' if failed else 'passed'} {'❌' if failed else '✅'}",
        "",
        f"Checked against {where} at `{cell(scrubber.text(base_url))}`.",
        "",
        *_schemathesis_sections(reports, scrubber),
        *_drift_section(reports, strict, scrubber),
        "## Problems",
        "",
    ]
    lines += [f"- {cell(scrubber.text(problem), width=300)}" for problem in problems] or ["None."]
    return scrubber.text("\n".join(lines) + "\n")  # and once more over the whole page


def write(
    reports: Path, *, failed: bool, mode: str, base_url: str, strict: bool, problems: list[str], secret: str
) -> Path:
    """Write `reports/summary.md` and return its path."""
    page = render(reports, failed=failed, mode=mode, base_url=base_url, strict=strict, problems=problems, secret=secret)
    path = reports / SUMMARY_NAME
    path.write_text(page, encoding="utf-8")
    return path
