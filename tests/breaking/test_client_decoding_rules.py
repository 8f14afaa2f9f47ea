"""The rules that rest on how the generated client decodes, checked against real generated clients.

- A new response `oneOf` variant (a new runner) is non-breaking only if every known payload (the document's
  examples and the contract fixtures) still decodes to the same models: appended after the variants that
  match today's payloads it is; placed before one of them, so that it takes their payloads, it is not.
- Response enums are open: a client generated from a document with an enum keeps a value it does not list.
"""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from kit._cli import ROOT
from scripts.spec.render import _run_openapi_python_client
from scripts.spec.sources import HAND_WRITTEN
from scripts.versions.payload_decode import VariantDecodeCheck, known_payloads
from scripts.versions.spec_diff import compare_documents

COMMITTED: dict[str, Any] = json.loads((ROOT / "generated" / "openapi.json").read_text())
COMMITTED_PACKAGE = ROOT / "generated" / "currents-api-client"


def generate_client(document: dict[str, Any], folder: Path) -> Path:
    """Generate the client of `document` into `folder`/client with the project's generator and templates."""
    path = folder / "openapi.json"
    path.write_text(json.dumps(document))
    _run_openapi_python_client(document, path, folder / "client")
    # The package's hand-written lib/, which make generate leaves in place and this throwaway client needs.
    shutil.copytree(
        HAND_WRITTEN, folder / "client" / "currents_api_client" / "lib", ignore=shutil.ignore_patterns("__pycache__")
    )
    return folder / "client"


def with_jest_variant(position: int) -> dict[str, Any]:
    """The committed document with a `JestInstance` variant (framework.type "jest") at `position` of Instance."""
    document = copy.deepcopy(COMMITTED)
    schemas = document["components"]["schemas"]
    schemas["JestFramework"] = {
        "type": "object",
        "required": ["type"],
        "properties": {"type": {"type": "string", "const": "jest"}},
    }
    jest = copy.deepcopy(schemas["OtherFrameworkInstance"])
    jest["title"] = "JestInstance"
    jest["properties"]["framework"] = {"$ref": "#/components/schemas/JestFramework"}
    schemas["JestInstance"] = jest
    schemas["Instance"]["oneOf"].insert(position, {"$ref": "#/components/schemas/JestInstance"})
    return document


def variant_changes(document: dict[str, Any], tmp_path: Path) -> list[tuple[str, str, str, str]]:
    client = generate_client(document, tmp_path)
    check = VariantDecodeCheck(COMMITTED, COMMITTED_PACKAGE, document, client)
    return [(c.level, c.rule, c.pointer, c.message) for c in compare_documents(COMMITTED, document, check)]


def test_the_fixtures_include_a_jest_payload() -> None:
    names = [name for name, _ in known_payloads(COMMITTED, "/instances/{instanceId}", "get", "200")]
    assert any(name.startswith("fixture ") and name.endswith("jest-failed-and-todo.json") for name in names)
    assert "example cypress" in names and "example playwright" in names


@pytest.mark.slow
def test_runner_variant_after_the_others_is_non_breaking(tmp_path: Path) -> None:
    changes = variant_changes(with_jest_variant(3), tmp_path)

    (variant,) = [c for c in changes if "variant" in c[1]]
    assert variant[:3] == ("non-breaking", "response-variant-added", "/components/schemas/Instance/oneOf/3")
    assert "still decodes to the same models" in variant[3]
    assert {c[0] for c in changes} <= {"non-breaking", "info"}


@pytest.mark.slow
def test_runner_variant_that_takes_existing_payloads_is_breaking_and_names_one(tmp_path: Path) -> None:
    changes = variant_changes(with_jest_variant(2), tmp_path)

    (variant,) = [c for c in changes if "variant" in c[1]]
    assert variant[:3] == ("breaking", "response-variant-added-redecodes", "/components/schemas/Instance/oneOf/2")
    assert (
        "jest-failed-and-todo.json decoded to $.data: OtherFrameworkInstance, now to $.data: JestInstance"
        in (variant[3])
    )


@pytest.mark.slow
def test_response_enums_decode_values_they_do_not_list(tmp_path: Path) -> None:
    document = copy.deepcopy(COMMITTED)
    document["components"]["schemas"]["Worker"]["properties"]["kind"] = {"type": "string", "enum": ["local", "ci"]}
    client = generate_client(document, tmp_path)
    code = (
        "from currents_api_client.models.worker import Worker\n"
        "print(Worker.from_dict({'workerIndex': 1, 'kind': 'cloud'}).kind)\n"
        "from currents_api_client.errors import DecodeError\n"
        "try:\n"
        "    Worker.from_dict({'workerIndex': 1, 'kind': 3})\n"
        "except DecodeError as error:\n"
        "    print('refused', error)\n"
    )
    process = subprocess.run(
        [sys.executable, "-c", code], cwd=client, capture_output=True, text=True, timeout=60, check=False
    )
    assert process.returncode == 0, process.stderr
    lines = process.stdout.splitlines()
    assert lines[0] == "cloud"  # a value the spec does not list yet is kept
    # another JSON type is still refused, as a DecodeError since 2.0 (the optional field reads `WorkerKind | None`)
    assert lines[1] == "refused kind: expected WorkerKind, got int"
