"""`make mock` (python -m contract_tests.mock_api) on a broken keys file or corpus: one line naming the file and
the entry, exit status 2, nothing on standard output. Each case breaks a copy of the project, never the tree."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

KEYS = Path("contract_tests/mock_api/keys.yaml")
FIXTURE = Path("contract_tests/fixtures/cypress-all-passed.json")


def break_keys(change: Callable[[list[dict[str, Any]]], object]) -> Callable[[Path], None]:
    def apply(project: Path) -> None:
        document = yaml.safe_load((project / KEYS).read_text())
        change(document["keys"])
        (project / KEYS).write_text(yaml.safe_dump(document))

    return apply


def break_fixture(change: Callable[[dict[str, Any]], object]) -> Callable[[Path], None]:
    def apply(project: Path) -> None:
        body = json.loads((project / FIXTURE).read_text())
        change(body["data"])
        (project / FIXTURE).write_text(json.dumps(body))

    return apply


CASES = {
    "a key without scopes": (break_keys(lambda keys: keys[1].pop("scopes")), ["keys.yaml", "keys[1]", "scopes"]),
    "an unknown scope": (break_keys(lambda keys: keys[0].update(scopes=["admin"])), ["keys.yaml", "keys[0]"]),
    "a key used twice": (break_keys(lambda keys: keys.append(dict(keys[0], name="again"))), ["keys.yaml", "again"]),
    "a count that is not a number": (
        break_fixture(lambda data: data["results"]["stats"].update(failures="many")),
        [str(FIXTURE), "cannot derive run"],
    ),
    "a fixture without data": (
        lambda project: (project / FIXTURE).write_text('{"status": "OK"}'),
        [FIXTURE.name, "data"],
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_broken_keys_file_or_corpus_is_one_line_naming_the_entry_and_exit_2(project_copy: Path, case: str) -> None:
    breakage, fragments = CASES[case]
    breakage(project_copy)
    result = subprocess.run(
        [sys.executable, "-m", "contract_tests.mock_api"],
        cwd=project_copy,
        env={**os.environ, "MOCK_PORT": "0", "MOCK_API_KEY": ""},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    assert result.stdout == ""
