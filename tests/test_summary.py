"""reports/summary.md: the numbers of schemathesis's reports and drift.json, in Markdown, never the API key."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from urllib.parse import quote

import junitparser

from kit.scrub import REDACTED
from scripts.contract import summary

KEY = "sk_live_0123456789abcdef"


def assert_summary_matches_reports(reports: Path) -> str:
    """summary.md carries the same numbers as junit.xml, schemathesis.json and drift.json; returns the page."""
    page = (reports / "summary.md").read_text(encoding="utf-8")
    xml = junitparser.JUnitXml.fromfile(str(reports / "junit.xml"))
    suites = list(xml)
    junit = {key: sum(int(getattr(s, key) or 0) for s in suites) for key in ("tests", "failures", "errors", "skipped")}
    assert (
        f"{summary.counted(junit['tests'], 'test')}, {summary.counted(junit['failures'], 'failure')}, "
        f"{summary.counted(junit['errors'], 'error')}, {junit['skipped']} skipped" in page
    )
    run = json.loads((reports / "schemathesis.json").read_text())
    assert f"Test cases: {run['test_cases']['generated']} generated, " in page
    assert f"schemathesis exit code: {run['exit_code']}." in page
    totals: dict[str, dict[str, int]] = {}  # the counts of every operation, summed per phase
    for phases in run["valid_rates"].values():
        for phase, counts in phases.items():
            for key in ("accepted", "rejected"):
                totals.setdefault(phase, {"accepted": 0, "rejected": 0})[key] += counts[key]
    for phase, counts in totals.items():
        row = f"| {phase} | {run['phases'][phase]['status']} | {counts['accepted']} | {counts['rejected']} |"
        assert row in page, row
    drift = json.loads((reports / "drift.json").read_text())
    rows = re.findall(r"^\| `([^`]+)` \| .* \| (\d+) of (\d+) \|$", page, flags=re.MULTILINE)
    assert rows == [(f["path"], str(f["responses"]), str(drift["responses"])) for f in drift["fields"]]
    return page


def write_reports(reports: Path, *, echo: str) -> None:
    reports.mkdir(exist_ok=True)
    (reports / "schemathesis.json").write_text(
        json.dumps(
            {
                "exit_code": 1,
                "operations": {"selected": 2, "tested": 2},
                "phases": {
                    "examples": {"status": "failure", "skip_reason": None},
                    "coverage": {"status": "success", "skip_reason": None},
                    "fuzzing": {"status": "success", "skip_reason": None},
                    "stateful": {"status": "skip", "skip_reason": "disabled"},
                },
                "test_cases": {"generated": 42, "with_failures": 3, "unique_failures": 1, "errored": 0},
                "failures": [{"title": f"Server echoed {echo}", "count": 3, "operations": ["GET /instances/{id}"]}],
                "errors": [],
                "valid_rates": {
                    "GET /instances/{id}": {"examples": {"accepted": 5, "rejected": 1}, "fuzzing": {"accepted": 30}},
                    "GET /runs/{id}": {"examples": {"accepted": 2}, "fuzzing": {"accepted": 4, "unreachable": 1}},
                },
            }
        )
    )
    xml = junitparser.JUnitXml()
    for name, failures in (("first", 1), ("second", 2)):
        suite = junitparser.TestSuite(name)
        for n in range(3):
            case = junitparser.TestCase(f"{name}-{n}")
            if n < failures:
                case.result = [junitparser.Failure("broken")]
            suite.add_testcase(case)
        xml.add_testsuite(suite)
    xml.write(str(reports / "junit.xml"))
    (reports / "drift.json").write_text(
        json.dumps(
            {
                "mode": "live",
                "responses": 4,
                "fields": [
                    {"path": "$.data.echo", "operations": ["getRun"], "example": f"'Bearer {echo}'", "responses": 4},
                    {
                        "path": "$.data.a|b",
                        "operations": ["getRun", "listProjects"],
                        "example": "x" * 200,
                        "responses": 1,
                    },
                    {
                        "path": "$.data.n",
                        "operations": ["getRun"],
                        "example": {"on": True, "off": None},
                        "responses": 1,
                    },
                ],
            }
        )
    )


def test_one_test_is_one_test_not_1_tests(tmp_path: Path) -> None:
    write_reports(tmp_path, echo="nothing")
    xml = junitparser.JUnitXml()
    suite = junitparser.TestSuite("only")
    case = junitparser.TestCase("only-0")
    case.result = [junitparser.Failure("broken")]
    suite.add_testcase(case)
    xml.add_testsuite(suite)
    xml.write(str(tmp_path / "junit.xml"))
    page = summary.render(tmp_path, failed=True, mode="mock", base_url="", strict=False, problems=[], secret=KEY)
    assert "JUnit (`junit.xml`): 1 test, 1 failure, 0 errors, 0 skipped." in page


def test_summary_copies_the_reports_numbers_per_phase_and_in_total(tmp_path: Path) -> None:
    write_reports(tmp_path, echo="nothing")
    page = summary.render(
        tmp_path, failed=True, mode="live", base_url="https://api.example/v1", strict=False, problems=[], secret=KEY
    )
    assert page.startswith("# Contract check: FAILED")
    assert "Checked against the real API at `https://api.example/v1`." in page
    assert "| examples | failure | 7 | 1 | 0 | 0 |" in page  # summed over both operations
    assert "| fuzzing | success | 34 | 0 | 1 | 0 |" in page
    assert "| stateful |" not in page  # a phase this run did not have is not a row (make contract runs it apart)
    assert "Test cases: 42 generated, 3 with failures, 1 unique failures, 0 errored" in page
    assert "JUnit (`junit.xml`): 6 tests, 3 failures, 0 errors, 0 skipped." in page
    assert "3 field(s) the spec does not list, in 4 response(s): a warning" in page
    # pipe escaped, the operations named, the example as JSON, and cut when long
    assert '| `$.data.a\\|b` | getRun, listProjects | `"' + "x" * 76 + "...` | 1 of 4 |" in page
    assert '| `$.data.n` | getRun | `{"on": true, "off": null}` | 1 of 4 |' in page
    assert "| failure: Server echoed nothing | 3 | GET /instances/{id} |" in page
    assert page.endswith("## Problems\n\nNone.\n")


def test_the_key_never_reaches_the_page_wherever_the_api_echoed_it(tmp_path: Path) -> None:
    write_reports(tmp_path, echo=KEY)
    (tmp_path / "summary.md").write_text("stale")
    path = summary.write(
        tmp_path,
        failed=True,
        mode="live",
        base_url=f"https://api.example/v1?key={KEY}",
        strict=True,
        problems=[f'abc: HTTP 500 b\'{{"token": "{KEY}"}}\''],
        secret=KEY,
    )
    page = path.read_text()
    assert KEY not in page
    assert page.count(REDACTED) == 4  # the URL, the failure title, the drift example and the problem
    assert "fails the run (`CONTRACT_STRICT=1`)" in page


def test_reports_the_run_did_not_write_are_named_as_missing(tmp_path: Path) -> None:
    page = summary.render(
        tmp_path, failed=True, mode="mock", base_url="http://127.0.0.1:1/v1", strict=False, problems=["x"], secret=""
    )
    assert "schemathesis wrote no run report (`schemathesis.json`)." in page
    assert "No JUnit report (`junit.xml`)." in page
    assert "No drift report (`drift.json`)." in page
    assert "- x" in page


def test_a_key_cut_in_half_by_a_shortened_example_is_still_redacted(tmp_path: Path) -> None:
    write_reports(tmp_path, echo="x")
    drift = json.loads((tmp_path / "drift.json").read_text())
    drift["fields"][0]["example"] = "y" * 70 + KEY  # the cut at 80 characters falls inside the key
    (tmp_path / "drift.json").write_text(json.dumps(drift))
    page = summary.render(tmp_path, failed=False, mode="live", base_url="u", strict=False, problems=[], secret=KEY)
    assert KEY[:6] not in page
    assert "y" * 70 + REDACTED[:7] in page


ESCAPABLE_KEY = "sk_live_<0123&4567>"


def test_the_key_never_reaches_the_page_in_the_forms_an_echo_takes(tmp_path: Path) -> None:
    """An API echoes the key HTML-escaped, JSON-escaped or percent-encoded: the page hides each form."""
    escaped = html.escape(ESCAPABLE_KEY)
    write_reports(tmp_path, echo=escaped)
    page = summary.render(
        tmp_path,
        failed=True,
        mode="live",
        base_url=f"https://api.example/v1?key={quote(ESCAPABLE_KEY, safe='')}",
        strict=False,
        problems=[f"abc: HTTP 500 {json.dumps({'token': escaped})}"],
        secret=ESCAPABLE_KEY,
    )
    forms = {ESCAPABLE_KEY, escaped, quote(ESCAPABLE_KEY, safe=""), json.dumps(ESCAPABLE_KEY)[1:-1]}
    assert not [form for form in forms if form in page]
    assert page.count(REDACTED) == 4  # the URL, the failure title, the drift example and the problem
