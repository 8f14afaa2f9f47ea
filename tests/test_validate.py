"""`make validate FILE=...`: a captured response is named by its variant, or every violation is listed by JSON path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scripts.fixtures import MANIFEST, Fixture, load_fixtures
from tests.support import RunScript, assert_one_line_error, seed_body


@pytest.mark.parametrize("fixture", load_fixtures(), ids=lambda f: f.name)
def test_every_fixture_is_named_by_its_variant(fixture: Fixture, run_script: RunScript) -> None:
    process = run_script("validate", str(fixture.path))
    assert process.returncode == 0, process.stderr
    assert process.stdout.strip().endswith(f"the instance is a {fixture.variant}")


def test_an_error_envelope_is_recognised(tmp_path: Path, run_script: RunScript) -> None:
    path = tmp_path / "404.json"
    path.write_text('{"status": "FAILED", "error": "Instance not found"}')
    process = run_script("validate", str(path))
    assert process.returncode == 0
    assert "valid ErrorResponse: Instance not found" in process.stdout


def test_every_violation_is_listed_with_its_json_path(tmp_path: Path, run_script: RunScript) -> None:
    body = seed_body("playwright-instance")
    body["data"]["results"]["stats"]["tests"] = "one"
    body["data"]["results"]["tests"][0]["attempts"][0]["wallClockStartedAt"] = "yesterday"
    body["data"]["claimList"][0]["t"] = 1.5
    path = tmp_path / "response.json"
    path.write_text(json.dumps(body))

    process = run_script("validate", str(path))

    assert process.returncode == 1
    assert "closest is PlaywrightInstance" in process.stderr
    assert "$.data.results.stats.tests: 'one' fails type: 'integer'" in process.stderr
    assert (
        "$.data.results.tests[0].attempts[0].wallClockStartedAt: 'yesterday' fails format: 'date-time'"
        in process.stderr
    )
    assert "$.data.claimList[0].t: 1.5 fails type: 'integer'" in process.stderr
    assert "3 violation(s)" in process.stderr


def test_an_instance_of_no_runner_says_what_is_missing(tmp_path: Path, run_script: RunScript) -> None:
    body = seed_body("playwright-instance")
    del body["data"]["framework"]
    path = tmp_path / "response.json"
    path.write_text(json.dumps(body))
    process = run_script("validate", str(path))
    assert process.returncode == 1
    assert "matches no Instance variant" in process.stderr
    assert (
        "'framework' is a required property" in process.stderr
        or "'cypressVersion' is a required property" in process.stderr
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        ("", "the file is empty"),
        ("  \n", "the file is empty"),
        ("{'a': 1}", "not JSON"),
        (b"\xff\xfe", "not UTF-8 text"),
    ],
    ids=["missing", "empty", "blank", "not json", "binary"],
)
def test_unusable_input_is_one_clear_line(
    tmp_path: Path, run_script: RunScript, content: str | bytes | None, message: str
) -> None:
    path = tmp_path / "response.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content)
    assert_one_line_error(run_script("validate", str(path)), str(path), message)


def test_no_file_argument_says_how_to_call_it(run_script: RunScript) -> None:
    assert_one_line_error(run_script("validate"), "make validate FILE=")


def test_a_directory_is_refused_in_one_line(run_script: RunScript) -> None:
    assert_one_line_error(run_script("validate", str(MANIFEST.parent)), "is a directory")
