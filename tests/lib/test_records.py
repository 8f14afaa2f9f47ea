"""`iter_tests`: one record per test for every runner and schema version, checked against records written by hand.

The expected records below were written from reading each payload, not captured from the code. An artifact is
compared by its kind, attempt, name and the path of its URL (the query is a long signature).

Over 400 lines on purpose: most of it is those expected records, one block per runner and schema version, kept
beside the tests that compare against them so that a reader sees payload, expectation and check together.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from currents_api_client import STATES, Artifact, TestRecord, iter_tests, strip_ansi
from currents_api_client.lib.records import Instance
from currents_api_client.models import InstanceResponse

from kit.fixtures import load_fixtures
from tests.support import seed_body

FIXTURES = Path(__file__).resolve().parents[2] / "contract_tests" / "fixtures"
Short = tuple[str, int | None, str | None, str]  # kind, attempt index, name, URL path


def instance_from(body: dict[str, Any]) -> Instance:
    return InstanceResponse.from_dict(body).data


def fixture(name: str) -> Instance:
    return instance_from(json.loads((FIXTURES / f"{name}.json").read_text()))


def shortened(record: TestRecord) -> tuple[TestRecord, tuple[Short, ...]]:
    """The record without its artifacts, and the artifacts as (kind, attempt, name, URL path)."""
    shorts = tuple((a.kind, a.attempt_index, a.name, urlsplit(a.url).path) for a in record.artifacts)
    return dataclasses.replace(record, artifacts=()), shorts


def record(**fields: Any) -> TestRecord:
    defaults: dict[str, Any] = {"tags": (), "artifacts": (), "error_message": None, "error_stack": None}
    return TestRecord(**{**defaults, **fields})


# --- Cypress: the seed example -----------------------------------------------------------------------------------
CY_SEED = {"run_id": "9ee42e4b85c02c634fe30b26d728624e", "instance_id": "bf89e79f-af2a-43cb-afba-2575e567f103"}
CY_SPEC = "cypress/integration/orchestration_100.spec.js"
CY_SEED_RECORDS = [
    (
        record(
            **CY_SEED,
            spec=CY_SPEC,
            runner="cypress",
            test_id="r3",
            title=("Test", "passing test"),
            state="failed",
            runner_state="failed",
            duration_ms=102,
            attempts=1,
            flaky=False,
            error_message="oh!",
            error_stack="    at Context.eval (https://en.wikipedia.org/__cypress/tests"
            "?p=cypress/integration/orchestration_100.spec.js:101:11)",
        ),
        (
            ("screenshot", 0, None, "/629849461deb0ae7090f97d1/50d92085-1493-4483-9cfa-07040876d083.png"),
            ("video", None, None, "/629849461deb0ae7090f97d1/bf89e79f-af2a-43cb-afba-2575e567f103.mp4"),
        ),
    ),
    (
        record(
            **CY_SEED,
            spec=CY_SPEC,
            runner="cypress",
            test_id="r4",
            title=("Test", "ignored / pending tests"),
            state="pending",
            runner_state="pending",
            duration_ms=None,
            attempts=0,
            flaky=False,
        ),
        (),  # it never ran, so the spec video does not show it
    ),
]

# --- Playwright, first shape: the seed example ---------------------------------------------------------------------
PW_SEED_RECORDS = [
    (
        record(
            run_id="dbb95157b6cb92f0",
            instance_id="2tniK8lM9j1rSoVh",
            spec="test-a.spec.ts",
            runner="pw",
            test_id="9d314e60d70d532f877a-b29c77ddb916da38bad5",
            title=("test 01",),
            state="failed",
            runner_state="failed",
            duration_ms=15445,
            attempts=1,
            flaky=False,
            error_message="oh!",
            error_stack="Error: expect(received).toBe(expected) // Object.is equality\n\nExpected: 2\nReceived: 1\n"
            "    at /home/slavic/Projects/currents-playwright/e2e/artifacts/test-a.spec.ts:34:13",
            tags=("project:chrome",),
        ),
        (),  # the example's artifacts belong to tests it does not list
    )
]

# --- Playwright, schemaVersion 2 -------------------------------------------------------------------------------------
PW2 = {"run_id": "9a0d3e6f12c84b75", "instance_id": "Mv3Cx7Zn1Bq9Wd4T", "spec": "api/orders.spec.ts", "runner": "pw"}
PW2_PREFIX = "9b2f6e0d13a7c8455d0e-"
PW2_RECORDS = [
    (
        record(
            **PW2,
            test_id=PW2_PREFIX + "2049ad58bf6e092966ad",
            title=("Orders API", "creates an order"),
            state="passed",
            runner_state="passed",
            duration_ms=412,
            attempts=1,
            flaky=False,
            tags=("api",),
        ),
        (),
    ),
    (
        record(
            **PW2,
            test_id=PW2_PREFIX + "184a566e923c33e2522e",
            title=("Orders API", "cancels an order"),
            state="failed",
            runner_state="failed",
            duration_ms=2520,
            attempts=2,
            flaky=False,
            error_message="'orders-service responded 503 Service Unavailable'",  # a thrown string: no stack
            tags=("api",),
        ),
        (
            (
                "attachment",
                0,
                "response-body-6ed1d0c20fa1250d5f29190ade04d32fd0df8635.txt",
                "/65e1f0c3a9d24b7e81c0f4a2/9a0d3e6f12c84b75/api/sQU4ZDSsqEL0kUeY.txt",
            ),
            (
                "attachment",
                1,
                "request-31dac6d8f2bf4a2081d5610c71b2c02b1c868043.json",
                "/65e1f0c3a9d24b7e81c0f4a2/9a0d3e6f12c84b75/api/y9Bg6nNPgbwvigYO.json",
            ),
        ),
    ),
    (
        record(
            **PW2,
            test_id=PW2_PREFIX + "d21a17fe3f7c9c27150f",
            title=("Orders API", "refunds a partially shipped order"),
            state="skipped",
            runner_state="skipped",
            duration_ms=0,
            attempts=0,
            flaky=False,
            tags=("api",),
        ),
        (),
    ),
]

# --- Another runner (Jest), first shape ----------------------------------------------------------------------------
JEST = {
    "run_id": "b62e0f4d8a1c7395",
    "instance_id": "Lq8Rf2Tm5Yc0Xs3D",
    "spec": "src/pricing/__tests__/discounts.test.ts",
    "runner": "jest",
}
JEST_PREFIX = "2a7c0e5f93b1d8e46c2a-"
JEST_DIFF = (
    "expect(received).toEqual(expected) // deep equality\n\n- Expected  - 2\n+ Received  + 2\n\n  Object {\n"
    '    "currency": "USD",\n-   "discount": 499,\n-   "total": 4491,\n+   "discount": 0,\n+   "total": 4990,\n  }'
)
JEST_RECORDS = [
    record(
        **JEST,
        test_id=JEST_PREFIX + "b29ec7c468be8fdf7ad7",
        title=("priceQuote", "charges the unit price below 10 items"),
        state="passed",
        runner_state="passed",
        duration_ms=4,
        attempts=1,
        flaky=False,
    ),
    record(
        **JEST,
        test_id=JEST_PREFIX + "5a05e319d566770c1b75",
        title=("priceQuote", "applies the 10% tier from 10 items"),
        state="failed",
        runner_state="failed",
        duration_ms=11,
        attempts=1,
        flaky=False,
        error_message=JEST_DIFF,
        error_stack="Error: " + JEST_DIFF + "\n    at Object.<anonymous> (/home/runner/work/storefront/storefront/"
        "src/pricing/__tests__/discounts.test.ts:24:19)\n    at Promise.then.completed (/home/runner/work/storefront/"
        "storefront/node_modules/jest-circus/build/utils.js:298:28)",
    ),
    record(
        **JEST,
        test_id=JEST_PREFIX + "c6555b0199ec895579e8",
        title=("priceQuote", "rounds half cents down"),
        state="passed",
        runner_state="passed",
        duration_ms=1,
        attempts=1,
        flaky=False,
    ),
    record(
        **JEST,
        test_id=JEST_PREFIX + "05bb40beb2e87008c103",
        title=("priceQuote", "applies the 20% tier from 50 items"),
        state="pending",
        runner_state="pending",
        duration_ms=None,
        attempts=0,
        flaky=False,
    ),
    record(  # a `test.todo`: Jest reports it pending, with rawStatus `todo`
        **JEST,
        test_id=JEST_PREFIX + "d1664f12e82dd36ff65b",
        title=("priceQuote", "combines tiers with coupon codes"),
        state="pending",
        runner_state="pending",
        duration_ms=None,
        attempts=0,
        flaky=False,
    ),
]

# --- Another runner (Vitest), schemaVersion 2 ------------------------------------------------------------------------
VITEST = {
    "run_id": "d1a7f3e90b2c5846",
    "instance_id": "Gx1Vp7Hn3Ke6Qw9S",
    "spec": "src/utils/currency.test.ts",
    "runner": "vitest",
}
VITEST_PREFIX = "6d3f9a1c0e7b42d58a9c-"
VITEST_DIFF = "expected 4500 to be 4499 // Object.is equality\n\n- Expected\n+ Received\n\n- 4499\n+ 4500"
VITEST_RECORDS = [
    record(
        **VITEST,
        test_id=VITEST_PREFIX + "754b2cf6ca7364bd5079",
        title=("currency", "formats USD with two decimals"),
        state="passed",
        runner_state="passed",
        duration_ms=3,
        attempts=1,
        flaky=False,
    ),
    record(
        **VITEST,
        test_id=VITEST_PREFIX + "1b575018db51f75ac923",
        title=("currency", "converts EUR to USD at the cached rate"),
        state="flaky",
        runner_state="passed",
        duration_ms=47,
        attempts=2,
        flaky=True,
        error_message=VITEST_DIFF,
        error_stack="AssertionError: " + VITEST_DIFF + "\n \u276f /home/runner/work/billing-web/billing-web/"
        "src/utils/currency.test.ts:31:39",
    ),
    record(
        **VITEST,
        test_id=VITEST_PREFIX + "2cd2dad3a0e517e4c16d",
        title=("currency", "rejects unknown currency codes"),
        state="passed",
        runner_state="passed",
        duration_ms=2,
        attempts=1,
        flaky=False,
    ),
    record(
        **VITEST,
        test_id=VITEST_PREFIX + "b8f8019eb807aafa1fd6",
        title=("currency", "formats JPY without decimals"),
        state="skipped",
        runner_state="skipped",
        duration_ms=0,
        attempts=0,
        flaky=False,
    ),
]


def test_cypress_seed_example_gives_the_records_written_by_hand() -> None:
    got = [shortened(r) for r in iter_tests(instance_from(seed_body("cypress-instance")))]
    assert got == CY_SEED_RECORDS


def test_playwright_first_shape_seed_example_gives_the_records_written_by_hand() -> None:
    got = [shortened(r) for r in iter_tests(instance_from(seed_body("playwright-instance")))]
    assert got == PW_SEED_RECORDS


def test_playwright_schema_version_2_reads_test_results_tags_and_attachments() -> None:
    got = [shortened(r) for r in iter_tests(fixture("playwright-v2-thrown-value"))]
    assert got == PW2_RECORDS


def test_other_runner_first_shape_maps_pending_and_todo_and_strips_ansi() -> None:
    assert list(iter_tests(fixture("jest-failed-and-todo"))) == JEST_RECORDS


def test_other_runner_schema_version_2_marks_a_passed_after_retry_test_flaky() -> None:
    assert list(iter_tests(fixture("vitest-flaky-with-new-fields"))) == VITEST_RECORDS


def test_cypress_retries_count_attempts_and_take_the_last_error() -> None:
    by_id = {r.test_id: r for r in iter_tests(fixture("cypress-retries"))}
    flaky, failed, passed = by_id["r3"], by_id["r4"], by_id["r5"]
    assert (flaky.state, flaky.attempts, flaky.flaky, flaky.duration_ms) == ("flaky", 2, True, 10944 + 2177)
    assert flaky.error_message is not None and flaky.error_message.startswith("Timed out retrying after 10000ms")
    assert (failed.state, failed.attempts, failed.error_message) == ("failed", 3, "expected 12 to equal 10")
    assert [(a.kind, a.attempt_index) for a in failed.artifacts] == [
        ("screenshot", 0),
        ("screenshot", 1),
        ("screenshot", 2),
        ("video", None),
    ]
    assert [(a.kind, a.name) for a in passed.artifacts] == [("screenshot", "inventory-dashboard"), ("video", None)]


def test_playwright_first_shape_fixture_maps_is_flaky_and_timed_out() -> None:
    records = list(iter_tests(fixture("playwright-v1-flaky-and-skipped")))
    assert [(r.title[-1], r.state, r.attempts) for r in records] == [
        ("lists the seeded items", "passed", 1),
        ("updates the total when quantity changes", "flaky", 2),
        ("saves the cart for later", "skipped", 0),
        ("checks out with a saved card", "failed", 2),
    ]
    flaky = records[1]
    assert flaky.tags == ("cart",)
    assert sorted(a.kind for a in flaky.artifacts) == ["screenshot", "trace", "video"]
    assert flaky.error_message is not None and flaky.error_message.startswith(
        "Error: expect(locator).toHaveText(expected) failed"
    )
    assert records[3].error_message == (
        "Error: locator.click: Test timeout of 30000ms exceeded.\n"
        "Call log:\n  - waiting for getByTestId('saved-card-4242')\n"
    )


def test_a_crashed_spec_yields_one_record_that_says_so() -> None:
    (crash,) = iter_tests(fixture("cypress-spec-crashed"))
    assert crash.spec_error and crash.test_id is None and crash.title == ()
    assert (crash.state, crash.runner_state, crash.full_title) == ("failed", "exception", "(spec error)")
    assert crash.error_message is not None
    assert crash.error_message.startswith("Oops...we found an error preparing this test file:")
    assert "Module not found" in crash.error_message


def test_a_running_instance_yields_the_tests_that_have_a_result() -> None:
    assert list(iter_tests(fixture("cypress-in-progress"))) == []
    records = list(iter_tests(fixture("playwright-v2-in-progress")))
    assert [(r.title, r.state, r.tags) for r in records] == [
        (("Users", "lists active users"), "passed", ("admin",)),
        (("Users", "invites a user by e-mail"), "passed", ("admin",)),
    ]


@pytest.mark.parametrize("fixture_file", [f.path.name for f in load_fixtures()])
def test_every_fixture_gives_one_record_per_test_with_a_known_state_and_no_ansi(fixture_file: str) -> None:
    body = json.loads((FIXTURES / fixture_file).read_text())
    data = body["data"]
    records = list(iter_tests(instance_from(body)))
    results = data.get("results") or {}
    if data.get("testResults") is not None:
        expected = len(data["testResults"])
    else:
        expected = len(results.get("tests") or []) + (1 if results.get("exception") else 0)
    assert len(records) == expected
    for r in records:
        assert r.state in STATES
        assert r.instance_id == data["instanceId"] and r.spec == data["spec"] and r.run_id == data["runId"]
        assert r.flaky == (r.state == "flaky")
        for text in (r.error_message, r.error_stack):
            assert text is None or "\x1b" not in text
        assert all(isinstance(a, Artifact) and a.url.startswith("https://") for a in r.artifacts)
        json.dumps(r.to_dict())  # JSON-ready


def test_failed_records_carry_an_error_and_passed_ones_none() -> None:
    for fixture_file in FIXTURES.glob("*.json"):
        for r in iter_tests(instance_from(json.loads(fixture_file.read_text()))):
            if r.state == "failed":
                assert r.error_message, (fixture_file.name, r.title)
            if r.state == "passed":
                assert r.error_message is None, (fixture_file.name, r.title)


def test_playwright_outcomes_and_unknown_states_map_as_documented() -> None:
    body = seed_body("playwright-instance")
    test = body["data"]["results"]["tests"][0]
    mapped = {}
    for runner_state in ("expected", "unexpected", "flaky", "skipped", "timedOut", "interrupted", "queued"):
        test["state"] = runner_state
        test["attempts"] = [{"state": "skipped"}]
        (r,) = iter_tests(instance_from(body))
        mapped[runner_state] = r.state
    assert mapped == {
        "expected": "passed",
        "unexpected": "failed",
        "flaky": "flaky",
        "skipped": "skipped",
        "timedOut": "failed",
        "interrupted": "failed",
        "queued": "pending",
    }


def test_strip_ansi_removes_colours_and_hyperlinks_only() -> None:
    assert strip_ansi("\x1b[31mred\x1b[39m and \x1b]8;;https://x\x07link\x1b]8;;\x07 [1m") == "red and link [1m"


def test_records_are_frozen() -> None:
    (r, *_) = iter_tests(fixture("node-test-runner-passed"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.state = "failed"  # type: ignore[misc]


# --- a retried test's error is its last attempt's -------------------------------------------------------------------


def _retried_with_distinct_errors(name: str, attempts_of: Any) -> Instance:
    """The fixture with every attempt's error rewritten to name its attempt: `attempt 1`, `attempt 2`, ..."""
    body = json.loads((FIXTURES / f"{name}.json").read_text())
    for attempts in attempts_of(body["data"]):
        for number, attempt in enumerate(attempts, start=1):
            if attempt.get("error"):
                attempt["error"]["message"] = f"attempt {number} failed"
                attempt["error"]["stack"] = f"Error: attempt {number} failed\n    at attempt{number}.js:1:1"
    return instance_from(body)


@pytest.mark.parametrize(
    ("name", "attempts_of", "test_id", "last"),
    [
        ("cypress-retries", lambda d: [t["attempts"] for t in d["results"]["tests"]], "r4", 3),
        (
            "playwright-v2-flaky-with-attachments",
            lambda d: [r["attempts"] for r in d["testResults"].values()],
            "a3e90c41f7b25d86e10c-7f5542ca4754cf0a3b2b",
            3,
        ),
        (
            "playwright-v2-flaky-with-attachments",
            lambda d: [r["attempts"] for r in d["testResults"].values()],
            "a3e90c41f7b25d86e10c-dece0cd254124355af27",
            1,  # failed, then passed: the error is the failed attempt's
        ),
    ],
)
def test_the_error_of_a_retried_test_is_its_last_failed_attempts(
    name: str, attempts_of: Any, test_id: str, last: int
) -> None:
    (found,) = [r for r in iter_tests(_retried_with_distinct_errors(name, attempts_of)) if r.test_id == test_id]
    assert found.error_message == f"attempt {last} failed"
    assert found.error_stack == f"Error: attempt {last} failed\n    at attempt{last}.js:1:1"
