"""Large, realistic response bodies for the benchmarks, one per runner shape, built from the fixtures.

Each is a 200 response body holding `tests` tests of `attempts` attempts each, made by repeating the tests and
attempts of a fixture with fresh ids, so that the shape, the strings (ANSI error messages, code frames) and the
nulls are those of real payloads. Every other test is flaky: its first attempt failed with an error carrying a
code frame, and the others passed; the remaining tests passed every attempt.

The shapes (SHAPES):
- `cypress`: a Cypress instance, tests with attempts under `results.tests`.
- `playwright-v1`: a Playwright instance in the schemaVersion 1 shape, tests with attempts under `results.tests`.
- `playwright-v2`: a Playwright instance in the schemaVersion 2 shape: `results.tests` holds one summary per test,
  the attempts are in the `testResults` map, keyed by test id, beside the `testList`, `testTags` and
  `testAnnotations` maps.
- `jest`: a Jest instance (the framework shape, `OtherFrameworkInstance`), tests with attempts under
  `results.tests`.
- `run`: a Playwright run (`GET /runs/{runId}`) of `RUN_SPECS` spec files, repeated from the fixture's with fresh
  instance ids and spec names; it has no tests or attempts.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Any

from kit.fixtures import FIXTURES_DIR


@dataclass(frozen=True)
class Shape:
    fixture: str
    variant: str  # the variant of the response's `data` union the body decodes to
    about: str
    response: str = "InstanceResponse"  # the response model, in the client, pydantic and the stock client
    endpoint: str = "instances.get_instance"  # the client's operation that returns it, under `api`

    @property
    def is_run(self) -> bool:
        return self.response == "RunResponse"


RUN_SPECS = 500


SHAPES = {
    "cypress": Shape("cypress-retries.json", "CypressInstance", "Cypress, errors with code frames"),
    "playwright-v1": Shape(
        "playwright-v1-flaky-and-skipped.json",
        "PlaywrightInstance",
        "Playwright schemaVersion 1, errors with code frames",
    ),
    "playwright-v2": Shape(
        "playwright-v2-flaky-with-attachments.json", "PlaywrightInstance", "Playwright schemaVersion 2, testResults map"
    ),
    "jest": Shape(
        "jest-failed-and-todo.json", "OtherFrameworkInstance", "Jest (framework shape), errors with code frames"
    ),
    "run": Shape(
        "runs/get-playwright-complete-failed.json",
        "PlaywrightRun",
        f"a Playwright run of {RUN_SPECS} spec files",
        response="RunResponse",
        endpoint="runs.get_run",
    ),
}


def _attempt_templates(attempts: list[dict[str, Any]]) -> tuple[dict[str, Any], dict[str, Any]]:
    """A failed attempt whose error has a code frame, and a passed attempt without an error."""
    failed = next(a for a in attempts if (a.get("error") or {}).get("codeFrame"))
    passed = next(a for a in attempts if a.get("state") == "passed" and not a.get("error"))
    return failed, passed


def _attempts(index: int, count: int, failed: dict[str, Any], passed: dict[str, Any]) -> list[dict[str, Any]]:
    made = [copy.deepcopy(failed if index % 2 == 0 and number == 0 else passed) for number in range(count)]
    for number, attempt in enumerate(made):
        if "attemptId" in attempt:
            attempt["attemptId"] = f"{index:010d}-{number}"
    return made


def _test_id(template_id: str, index: int) -> str:
    return f"{template_id[:20]}-{index:06d}"


def _with_tests_listed(body: dict[str, Any], tests: int, attempts: int) -> dict[str, Any]:
    """Cypress, Playwright schemaVersion 1 and the framework shape: tests and their attempts in `results.tests`."""
    results = body["data"]["results"]
    templates = [t for t in results["tests"] if t.get("attempts")]
    failed, passed = _attempt_templates([a for t in templates for a in t["attempts"]])
    made = []
    for index in range(tests):
        test = copy.deepcopy(templates[index % len(templates)])
        test["testId"] = _test_id(test["testId"], index)
        test["title"] = [*test["title"][:-1], f"{test['title'][-1]} #{index}"]
        test["attempts"] = _attempts(index, attempts, failed, passed)
        test["state"] = "passed"
        made.append(test)
    results["tests"] = made
    return body


def _with_test_results_map(body: dict[str, Any], tests: int, attempts: int) -> dict[str, Any]:
    """Playwright schemaVersion 2: summaries in `results.tests`, attempts in the `testResults` map."""
    data = body["data"]
    summaries = data["results"]["tests"]
    results_by_id = data["testResults"]
    failed, passed = _attempt_templates([a for r in results_by_id.values() for a in r["attempts"]])
    flaky = next(r for r in results_by_id.values() if r.get("isFlaky"))
    steady = next(r for r in results_by_id.values() if r["state"] == "passed" and not r.get("isFlaky"))
    made_summaries, test_results, test_list, test_tags, test_annotations = [], {}, {}, {}, {}
    for index in range(tests):
        template = summaries[index % len(summaries)]
        summary = copy.deepcopy(template)
        test_id = summary["testId"] = _test_id(template["testId"], index)
        summary["title"] = [*summary["title"][:-1], f"{summary['title'][-1]} #{index}"]
        summary["_s"] = "passed"
        made_summaries.append(summary)
        result = copy.deepcopy(flaky if index % 2 == 0 else steady)
        result["attempts"] = _attempts(index, attempts, failed, passed)
        result["recordId"] = f"{index:016d}"
        test_results[test_id] = result
        test_list[test_id] = {"testId": test_id, "title": summary["title"], "originalTitle": summary["originalTitle"]}
        test_tags[test_id] = copy.deepcopy(data["testTags"].get(template["testId"], []))
        test_annotations[test_id] = copy.deepcopy(data["testAnnotations"].get(template["testId"], []))
    data["results"]["tests"] = made_summaries
    data["testResults"] = test_results
    data["testList"] = test_list
    data["testTags"] = test_tags
    data["testAnnotations"] = test_annotations
    return body


def _run_with_specs(body: dict[str, Any], specs: int) -> dict[str, Any]:
    """A run: `specs` spec files, repeated from the fixture's with fresh instance ids and spec names."""
    data = body["data"]
    templates = data["specs"]
    made = []
    for index in range(specs):
        spec = copy.deepcopy(templates[index % len(templates)])
        spec["instanceId"] = f"{index:016d}"
        folder, _, name = spec["spec"].rpartition("/")
        spec["spec"] = f"{folder}/{index:03d}-{name}" if folder else f"{index:03d}-{name}"
        made.append(spec)
    data["specs"] = made
    for group in data.get("groups") or []:
        group["specCount"] = specs
    return body


def large_instance(shape: str, tests: int = 5000, attempts: int = 3) -> dict[str, Any]:
    """A response body of `shape` (a key of SHAPES) with `tests` tests of `attempts` attempts each; for the
    run, `RUN_SPECS` spec files."""
    body: dict[str, Any] = json.loads((FIXTURES_DIR / SHAPES[shape].fixture).read_text(encoding="utf-8"))
    if SHAPES[shape].is_run:
        return _run_with_specs(body, RUN_SPECS)
    build = _with_test_results_map if shape == "playwright-v2" else _with_tests_listed
    body = build(body, tests, attempts)
    stats = body["data"]["results"]["stats"]
    stats.update(tests=tests, passes=tests, failures=0, pending=0, skipped=0)
    if "flaky" in stats:
        stats["flaky"] = (tests + 1) // 2
    return body


def encoded(body: dict[str, Any]) -> bytes:
    return json.dumps(body, ensure_ascii=False).encode()
