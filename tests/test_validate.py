"""`make validate FILE=...`: a captured response is named by its variant, or every violation is listed by JSON path."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from kit._cli import ROOT
from kit.fixtures import MANIFEST, Fixture, load_fixtures
from tests.support import RunScript, assert_one_line_error, seed_body

pytestmark = pytest.mark.slow  # the end-to-end tier: `make test-e2e`


@pytest.mark.parametrize("fixture", load_fixtures(), ids=lambda f: f.name)
def test_every_fixture_is_named_by_its_variant(fixture: Fixture, run_script: RunScript) -> None:
    process = run_script("spec.validate", str(fixture.path))
    assert process.returncode == 0, process.stderr
    assert process.stdout.strip().endswith(f"the instance is a {fixture.variant}")


def test_an_error_envelope_is_recognised(tmp_path: Path, run_script: RunScript) -> None:
    path = tmp_path / "404.json"
    path.write_text('{"status": "FAILED", "error": "Instance not found"}')
    process = run_script("spec.validate", str(path))
    assert process.returncode == 0
    assert "valid ErrorResponse: Instance not found" in process.stdout


def test_every_violation_is_listed_with_its_json_path(tmp_path: Path, run_script: RunScript) -> None:
    body = seed_body("playwright-instance")
    body["data"]["results"]["stats"]["tests"] = "one"
    body["data"]["results"]["tests"][0]["attempts"][0]["wallClockStartedAt"] = "yesterday"
    body["data"]["claimList"][0]["t"] = 1.5
    path = tmp_path / "response.json"
    path.write_text(json.dumps(body))

    process = run_script("spec.validate", str(path))

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
    process = run_script("spec.validate", str(path))
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
    assert_one_line_error(run_script("spec.validate", str(path)), str(path), message)


def test_no_file_argument_says_how_to_call_it(run_script: RunScript) -> None:
    assert_one_line_error(run_script("spec.validate"), "make validate FILE=")


def test_a_directory_is_refused_in_one_line(run_script: RunScript) -> None:
    assert_one_line_error(run_script("spec.validate", str(MANIFEST.parent)), "is a directory")


HOSTILE = [
    ("[]", "the top level is an array"),
    ("1", "the top level is a number"),
    ('"x"', "the top level is a string"),
    ("null", "the top level is null"),
    ("true", "the top level is a boolean"),
    ("[" * 100_000 + "]" * 100_000, "nested deeper than 256 levels"),
    ('{"status": "OK", "data": ' + "[" * 300 + "]" * 300 + "}", "nested deeper than 256 levels"),
    ('{"status": "OK", "data": {"n": ' + "7" * 5000 + "}}", "a number has more than 4300 digits"),
    ('"\\ud800"', "lone surrogate"),
    ('{"status": "FAILED", "error": "a\\udc00b"}', "lone surrogate"),
    ('{"status": "FAILED", "status": "OK", "error": "x"}', "duplicate key 'status'"),
    ('{"status": "FAILED", "error": "x", "n": NaN}', "NaN is not a JSON number"),
    ('{"status": "FAILED", "error": "x", "n": -Infinity}', "-Infinity is not a JSON number"),
]


@pytest.mark.parametrize(
    ("content", "message"),
    HOSTILE,
    ids=[
        "array",
        "number",
        "string",
        "null",
        "boolean",
        "100k-deep",
        "300-deep-data",
        "5000-digits",
        "lone-high-surrogate",
        "lone-low-surrogate-in-error",
        "duplicate-key",
        "nan",
        "infinity",
    ],
)
def test_hostile_input_is_one_clear_line_and_exit_2(
    tmp_path: Path, run_script: RunScript, content: str, message: str
) -> None:
    path = tmp_path / "response.json"
    path.write_text(content)
    assert_one_line_error(run_script("spec.validate", str(path)), str(path), message)


@pytest.mark.parametrize(
    ("path", "message"),
    [("/proc/self/mem", "cannot read"), ("/dev/zero", "not a regular file"), ("/tmp/" + "x" * 300, "too long")],
    ids=["proc-self-mem", "dev-zero", "300-character-name"],
)
def test_an_unreadable_or_special_path_is_one_clear_line(run_script: RunScript, path: str, message: str) -> None:
    assert_one_line_error(run_script("spec.validate", path), message)


@pytest.mark.slow
def test_a_large_valid_body_is_named_and_a_large_broken_one_is_explained(tmp_path: Path, run_script: RunScript) -> None:
    body = seed_body("playwright-instance")
    tests = body["data"]["results"]["tests"]
    body["data"]["results"]["tests"] = [json.loads(json.dumps(tests[0])) for _ in range(3000)]
    path = tmp_path / "large.json"
    path.write_text(json.dumps(body))
    valid = run_script("spec.validate", str(path))
    assert valid.returncode == 0, valid.stderr
    assert valid.stdout.strip().endswith("the instance is a PlaywrightInstance")

    body["data"]["results"]["tests"][2999]["attempts"][0]["wallClockStartedAt"] = "yesterday"
    path.write_text(json.dumps(body))
    broken = run_script("spec.validate", str(path))
    assert broken.returncode == 1
    assert "$.data.results.tests[2999].attempts[0].wallClockStartedAt: 'yesterday' fails format" in broken.stderr


def make_validate(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "--no-print-directory", "-s", *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_make_passes_file_instance_id_and_base_as_data_never_as_shell(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    base_marker = tmp_path / "pwned-by-base"
    response = tmp_path / "a response; touch pwned-by-file-name"  # the shell would run `touch` in ROOT
    response.write_text(json.dumps(seed_body("cypress-instance")))

    validated = make_validate("validate", f"FILE={response}")
    recorded = make_validate("record", f"INSTANCE_ID=x; touch {marker}", "CURRENTS_API_KEY=")
    compared = make_validate("breaking", f"BASE=x'; touch {base_marker}; '")

    injected = ROOT / "pwned-by-file-name"
    if injected.exists():
        injected.unlink()
        pytest.fail("the file name ran as a shell command")
    assert validated.returncode == 0, validated.stderr
    assert f"{response}: valid InstanceResponse" in validated.stdout
    assert "CURRENTS_API_KEY" in recorded.stderr and recorded.returncode == 2
    assert not marker.exists()
    assert "no such commit" in compared.stderr and compared.returncode == 2
    assert not base_marker.exists()
