# Hand-written, not generated: `make generate` never touches currents_api_client/lib/ (see lib/__init__.py).
"""One view of a test result across every runner: `iter_tests(instance)` yields a `TestRecord` per test.

An instance has four shapes: Cypress; Playwright in the first shape (per-test results in
`results.tests[]` with their `attempts`); Playwright in schemaVersion 2 (the attempts moved to the
top-level `testResults` map, titles to `testList`, tags to `testTags`); and the other runners (Jest,
Vitest, Postman, Node.js, WebdriverIO) in either of the two framework shapes. `iter_tests` reads all
four and yields records of one frozen type, in the order the instance lists its tests.

How states map onto `TestState` (`runner_state` keeps what the runner said):

| runner says | state |
|---|---|
| `passed` (Cypress, Currents' `state`/`_s`), Playwright's `expected` | `passed` |
| `passed` with `isFlaky`/`_f`, or after a failed attempt; Playwright's `flaky` | `flaky` |
| `failed`, Playwright's `unexpected`, `timedOut`, `interrupted` | `failed` |
| `skipped` (Cypress: skipped after a hook failed; Playwright: `test.skip`/`fixme`) | `skipped` |
| `pending` (Cypress: `it.skip` or no body; Jest/Vitest: `skip`/`todo`) | `pending` |
| anything else (a value Currents added later) | `pending`, as not known to have finished |

Other fields:
- `duration_ms`: the test's `duration` (schemaVersion 2), else the sum of its attempts' durations;
  `None` when no attempt ran.
- `attempts`: the attempts that ran (`passed` or `failed`; `pending` and `skipped` ones are not
  tries); `flaky` is `state == "flaky"`.
- `error_message`/`error_stack`: from the last attempt with an error (a thrown non-Error `value`
  stands in for a message), else the test's `displayError`; ANSI escapes stripped.
- `artifacts`: the screenshots, videos, traces and attachments whose `testId` is the test's; a
  Cypress spec video records every test, so every test that ran carries it. The spec's captured
  stdout belongs to no test and is not listed.

A still-running instance yields the tests that have a result so far. A spec that crashed
(Cypress `results.exception`) yields one record with `spec_error=True`, state `failed`, an empty
title and the exception as its error.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal, TypeAlias

from ..models.cypress_instance import CypressInstance
from ..models.cypress_test import CypressTest
from ..models.framework_results import FrameworkResults
from ..models.framework_test import FrameworkTest
from ..models.other_framework_instance import OtherFrameworkInstance
from ..models.playwright_instance import PlaywrightInstance
from ..models.screenshot import Screenshot
from ..models.test_result import TestResult
from ..types import Unset

Instance: TypeAlias = CypressInstance | PlaywrightInstance | OtherFrameworkInstance
TestState: TypeAlias = Literal["passed", "failed", "flaky", "skipped", "pending"]
ArtifactKind: TypeAlias = Literal["screenshot", "video", "trace", "attachment"]

STATES: tuple[TestState, ...] = ("passed", "failed", "flaky", "skipped", "pending")
_STATE_OF: dict[str, TestState] = {
    "passed": "passed",
    "expected": "passed",
    "failed": "failed",
    "unexpected": "failed",
    "timedout": "failed",
    "interrupted": "failed",
    "flaky": "flaky",
    "skipped": "skipped",
    "pending": "pending",
}
_RAN = frozenset({"passed", "failed", "expected", "unexpected", "flaky", "timedout", "interrupted"})

# ECMA-48 escapes: CSI (colours, cursor moves), OSC (hyperlinks, titles) and the two-byte ones.
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")


def strip_ansi(text: str) -> str:
    """`text` without ANSI escape sequences."""
    return _ANSI.sub("", text)


@dataclass(frozen=True, slots=True)
class Artifact:
    """A pre-signed artifact URL of a test (it expires 2 hours after the instance was fetched)."""

    kind: ArtifactKind
    url: str
    attempt_index: int | None = None
    name: str | None = None


@dataclass(frozen=True, slots=True)
class TestRecord:
    """One test of one instance, the same for every runner. See the module docstring for the mapping."""

    __test__ = False  # not a pytest test class, whatever its name says

    run_id: str
    instance_id: str
    spec: str
    runner: str
    test_id: str | None
    title: tuple[str, ...]
    state: TestState
    runner_state: str
    duration_ms: int | None
    attempts: int
    flaky: bool
    error_message: str | None
    error_stack: str | None
    tags: tuple[str, ...]
    artifacts: tuple[Artifact, ...]
    spec_error: bool = False

    @property
    def full_title(self) -> str:
        """The title path joined with ` > `, or `(spec error)` for a crashed spec."""
        return " > ".join(self.title) if self.title else "(spec error)"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: tuples become lists, artifacts become dicts."""
        return asdict(self)


def _set(value: Any) -> Any:
    return None if isinstance(value, Unset) else value


def _state(runner_state: str, flaky: bool, attempt_states: Sequence[str]) -> TestState:
    state = _STATE_OF.get(runner_state.lower(), "pending")
    if state == "passed" and (flaky or "failed" in attempt_states):
        return "flaky"
    return state


def _clean(text: str | None) -> str | None:
    return strip_ansi(text) if text else None


def _error(attempts: Sequence[Any], display_error: str | None) -> tuple[str | None, str | None]:
    """(message, stack) of the last attempt that has an error, else of `displayError`."""
    for attempt in reversed(attempts):
        error = _set(attempt.error)
        if error is None:
            continue
        message = _set(error.message) or _set(error.value)
        return _clean(message), _clean(_set(error.stack))
    return _clean(display_error), None


def _duration(attempts: Sequence[Any]) -> int | None:
    durations = [d for d in (_set(a.wall_clock_duration) for a in attempts) if d is not None]
    return sum(durations) if durations else None


class _Artifacts:
    """The artifacts of one instance, by test id."""

    def __init__(self) -> None:
        self.by_test: dict[str, list[Artifact]] = {}
        self.spec_video: str | None = None

    def add(self, test_id: str, artifact: Artifact) -> None:
        self.by_test.setdefault(test_id, []).append(artifact)

    def add_screenshot(self, shot: Screenshot) -> None:
        self.add(shot.test_id, Artifact("screenshot", shot.screenshot_url, shot.test_attempt_index, _set(shot.name)))

    def of(self, test_id: str, ran: bool) -> tuple[Artifact, ...]:
        found = list(self.by_test.get(test_id, ()))
        if ran and self.spec_video:
            found.append(Artifact("video", self.spec_video))
        return tuple(found)

    @classmethod
    def of_framework(cls, results: FrameworkResults | None) -> _Artifacts:
        artifacts = cls()
        if results is None:
            return artifacts
        for shot in _set(results.screenshots) or ():
            artifacts.add_screenshot(shot)
        for video in _set(results.videos) or ():
            artifacts.add(video.test_id, Artifact("video", video.video_url, _set(video.test_attempt_index)))
        for trace in _set(results.playwright_traces) or ():
            artifact = Artifact("trace", trace.trace_url, _set(trace.test_attempt_index), _set(trace.name))
            artifacts.add(trace.test_id, artifact)
        for file in _set(results.attachments) or ():
            name = _set(file.filename) or _set(file.name)
            artifacts.add(file.test_id, Artifact("attachment", file.read_url, _set(file.test_attempt_index), name))
        return artifacts


def iter_tests(instance: Instance) -> Iterator[TestRecord]:
    """One `TestRecord` per test of `instance`, whichever runner and schema version produced it."""
    if isinstance(instance, CypressInstance):
        yield from _cypress(instance)
    else:
        yield from _framework(instance)


def _cypress(instance: CypressInstance) -> Iterator[TestRecord]:
    results = _set(instance.results)
    if results is None:
        return
    artifacts = _Artifacts()
    artifacts.spec_video = _set(results.video_url)
    for shot in _set(results.screenshots) or ():
        artifacts.add_screenshot(shot)
    for test in _set(results.tests) or ():
        yield _cypress_test(instance, test, artifacts)
    exception = _set(results.exception)
    if exception:
        yield _spec_error(instance, "cypress", exception)


def _cypress_test(instance: CypressInstance, test: CypressTest, artifacts: _Artifacts) -> TestRecord:
    attempts = _set(test.attempts) or []
    attempt_states = [a.state.lower() for a in attempts]
    ran = sum(1 for s in attempt_states if s in _RAN)
    message, stack = _error(attempts, _set(test.display_error))
    state = _state(test.state, False, attempt_states)
    return TestRecord(
        run_id=instance.run_id,
        instance_id=instance.instance_id,
        spec=instance.spec,
        runner="cypress",
        test_id=test.test_id,
        title=tuple(test.title),
        state=state,
        runner_state=test.state,
        duration_ms=_duration(attempts),
        attempts=ran,
        flaky=state == "flaky",
        error_message=message,
        error_stack=stack,
        tags=(),
        artifacts=artifacts.of(test.test_id, ran > 0),
    )


def _spec_error(instance: Instance, runner: str, exception: str) -> TestRecord:
    return TestRecord(
        run_id=instance.run_id,
        instance_id=instance.instance_id,
        spec=instance.spec,
        runner=runner,
        test_id=None,
        title=(),
        state="failed",
        runner_state="exception",
        duration_ms=None,
        attempts=0,
        flaky=False,
        error_message=strip_ansi(exception),
        error_stack=None,
        tags=(),
        artifacts=(),
        spec_error=True,
    )


def _framework(instance: PlaywrightInstance | OtherFrameworkInstance) -> Iterator[TestRecord]:
    runner = instance.framework.type_
    results = _set(instance.results)
    artifacts = _Artifacts.of_framework(results)
    test_results = _set(instance.test_results)
    summaries: list[FrameworkTest] = list(_set(results.tests) or ()) if results is not None else []
    if test_results is None:  # the first shape: each test carries its own state and attempts
        for test in summaries:
            yield _first_shape_test(instance, runner, test, artifacts)
        return
    # schemaVersion 2: the summaries give order and titles; testResults the outcome; testList titles while running.
    tags = _set(instance.test_tags)
    test_list = _set(instance.test_list)
    listed = {test.test_id: tuple(test.title) for test in summaries}
    order = [test.test_id for test in summaries]
    order += [test_id for test_id in test_results.additional_properties if test_id not in listed]
    for test_id in order:
        result = test_results.additional_properties.get(test_id)
        if result is None:
            continue  # listed, not finished yet
        title = listed.get(test_id)
        if title is None:
            entry = test_list.additional_properties.get(test_id) if test_list is not None else None
            title = tuple(entry.title) if entry is not None else ()
        test_tags = tuple(tags.additional_properties.get(test_id, ())) if tags is not None else ()
        yield _v2_test(instance, runner, test_id, title, test_tags, result, artifacts)


def _first_shape_test(
    instance: PlaywrightInstance | OtherFrameworkInstance, runner: str, test: FrameworkTest, artifacts: _Artifacts
) -> TestRecord:
    attempts = _set(test.attempts) or []
    attempt_states = [a.state.lower() for a in attempts]
    runner_state = _set(test.state) or _set(test.field_s) or "pending"
    flaky = bool(_set(test.is_flaky) or _set(test.field_f))
    state = _state(runner_state, flaky, attempt_states)
    message, stack = _error(attempts, _set(test.display_error))
    ran = sum(1 for s in attempt_states if s in _RAN)
    return TestRecord(
        run_id=instance.run_id,
        instance_id=instance.instance_id,
        spec=instance.spec,
        runner=runner,
        test_id=test.test_id,
        title=tuple(test.title),
        state=state,
        runner_state=runner_state,
        duration_ms=test.duration if test.duration is not None else _duration(attempts),
        attempts=ran,
        flaky=state == "flaky",
        error_message=message,
        error_stack=stack,
        tags=tuple(_set(test.tags) or ()),
        artifacts=artifacts.of(test.test_id, ran > 0),
    )


def _v2_test(
    instance: PlaywrightInstance | OtherFrameworkInstance,
    runner: str,
    test_id: str,
    title: tuple[str, ...],
    tags: tuple[str, ...],
    result: TestResult,
    artifacts: _Artifacts,
) -> TestRecord:
    attempts = _set(result.attempts) or []
    attempt_states = [a.state.lower() for a in attempts]
    state = _state(result.state, bool(_set(result.is_flaky)), attempt_states)
    message, stack = _error(attempts, _set(result.display_error))
    ran = sum(1 for s in attempt_states if s in _RAN)
    duration = _set(result.duration)
    return TestRecord(
        run_id=instance.run_id,
        instance_id=instance.instance_id,
        spec=instance.spec,
        runner=runner,
        test_id=test_id,
        title=title,
        state=state,
        runner_state=result.state,
        duration_ms=duration if duration is not None else _duration(attempts),
        attempts=ran,
        flaky=state == "flaky",
        error_message=message,
        error_stack=stack,
        tags=tags,
        artifacts=artifacts.of(test_id, ran > 0),
    )
