"""Large, realistic instances for the benchmarks, built from the fixtures.

Each is a 200 response body holding `tests` tests of `attempts` attempts each, made by repeating the
tests and attempts of a fixture with fresh ids, so that the shape, the strings (ANSI error messages,
code frames) and the nulls are those of real payloads. One test in four failed its first attempt (an
error with a code frame) and passed on a retry; the others passed every attempt. The default size,
5,000 tests of 3 attempts, is about 7 MB of JSON.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from scripts.fixtures import FIXTURES_DIR

SOURCES = {"playwright": "playwright-v1-flaky-and-skipped.json", "cypress": "cypress-retries.json"}


def large_instance(runner: str, tests: int = 5000, attempts: int = 3) -> dict[str, Any]:
    """A response body of `runner` ("playwright" or "cypress") with `tests` tests of `attempts` attempts."""
    body: dict[str, Any] = json.loads((FIXTURES_DIR / SOURCES[runner]).read_text(encoding="utf-8"))
    results = body["data"]["results"]
    templates = results["tests"]
    every = [a for t in templates for a in t.get("attempts") or []]
    failed = [a for a in every if a.get("error")]
    passed = [a for a in every if a.get("state") == "passed" and not a.get("error")]
    made = []
    for index in range(tests):
        test = copy.deepcopy(templates[index % len(templates)])
        test["testId"] = f"{test['testId'][:20]}-{index:06d}"
        test["title"] = [*test["title"][:-1], f"{test['title'][-1]} #{index}"]
        first = failed[index % len(failed)] if index % 4 == 0 else passed[index % len(passed)]
        test["attempts"] = [copy.deepcopy(first)] + [copy.deepcopy(passed[0]) for _ in range(attempts - 1)]
        test["state"] = "passed"
        for number, attempt in enumerate(test["attempts"]):
            if "attemptId" in attempt:
                attempt["attemptId"] = f"{test['testId'][-12:]}-{number}"
        made.append(test)
    results["tests"] = made
    results["stats"].update(tests=tests, passes=tests, failures=0, pending=0, skipped=0)
    return body


def encoded(body: dict[str, Any]) -> bytes:
    return json.dumps(body, ensure_ascii=False).encode()
