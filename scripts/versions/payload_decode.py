"""Decode known payloads with two generated clients and say whether they still decode to the same models.

Scope: the rule for a response `oneOf` that gained a variant (scripts/versions/breaking.md). The generated client
tries a union's variants in order and keeps the first that decodes, so a new variant is harmless only if every payload
that decoded before still decodes to the same model classes at the same places. The payloads are the examples
the base document gives for the response and every fixture under `contract_tests/fixtures/` that the base
client decodes for it (a fixture of another operation does not decode and is left out).

Each client runs in its own Python process (both packages are named `currents_api_client`), through the
operation's own `_parse_response`, and reports the model class at every place of the decoded value.

Run as a module, this is that child process: `python -m scripts.versions.payload_decode PACKAGE_ROOT MODULE STATUS`
with a JSON list of payloads on standard input, and one JSON result per payload on standard output.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from kit._cli import ROOT

FIXTURES = ROOT / "contract_tests" / "fixtures"
PACKAGE = "currents_api_client"


def _snake(name: str) -> str:
    """openapi-python-client's module name for an operationId: getInstance -> get_instance."""
    words = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name))
    return re.sub(r"[^a-z0-9]+", "_", words.lower()).strip("_")


def operation_module(package_root: Path, operation_id: str) -> str | None:
    """The dotted name of the generated module of `operation_id`, or None when the package has none."""
    found = sorted((package_root / PACKAGE / "api").glob(f"*/{_snake(operation_id)}.py"))
    if not found:
        return None
    return ".".join(found[0].relative_to(package_root).with_suffix("").parts)


def decode_all(package_root: Path, module: str, status: str, payloads: list[Any]) -> list[dict[str, Any]]:
    """Decode `payloads` as `status` responses with the package under `package_root`; one result per payload:
    {"models": [...]} or {"error": "..."}."""
    completed = subprocess.run(
        [sys.executable, "-m", "scripts.versions.payload_decode", str(package_root), module, status],
        input=json.dumps(payloads),
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    if completed.returncode != 0:
        last = (completed.stderr.strip().splitlines() or ["no output"])[-1]
        return [{"error": f"the client could not be imported: {last}"} for _ in payloads]
    results: list[dict[str, Any]] = json.loads(completed.stdout)
    return results


def known_payloads(document: dict[str, Any], path: str, method: str, status: str) -> list[tuple[str, Any]]:
    """(name, body) of the examples `document` gives for the response, and of every fixture file."""
    from kit.openapi import resolve_pointer

    found: list[tuple[str, Any]] = []
    response = document["paths"][path][method]["responses"][status]
    while isinstance(response, dict) and "$ref" in response:
        response = resolve_pointer(document, response["$ref"][1:])
    for media in (response.get("content") or {}).values():
        for name, example in (media.get("examples") or {}).items():
            while isinstance(example, dict) and "$ref" in example:
                example = resolve_pointer(document, example["$ref"][1:])
            if isinstance(example, dict) and "value" in example:
                found.append((f"example {name}", example["value"]))
        if "example" in media:
            found.append(("example", media["example"]))
    for fixture in sorted(FIXTURES.rglob("*.json")):
        try:
            found.append((f"fixture {fixture.relative_to(FIXTURES).as_posix()}", json.loads(fixture.read_text())))
        except (OSError, ValueError):
            continue
    return found


class VariantDecodeCheck:
    """Compare how the base and the new generated client decode the known payloads of one response."""

    def __init__(
        self, old_document: dict[str, Any], old_package: Path, new_document: dict[str, Any], new_package: Path
    ):
        self.old_document, self.old_package = old_document, old_package
        self.new_document, self.new_package = new_document, new_package
        self.cache: dict[tuple[str, str, str], str | None] = {}

    def __call__(self, path: str, method: str, status: str) -> str | None:
        key = (path, method, status)
        if key not in self.cache:
            self.cache[key] = self._check(path, method, status)
        return self.cache[key]

    def _check(self, path: str, method: str, status: str) -> str | None:
        old_id = self.old_document["paths"][path][method].get("operationId", "")
        new_id = self.new_document["paths"][path][method].get("operationId", "")
        old_module = operation_module(self.old_package, old_id)
        new_module = operation_module(self.new_package, new_id)
        if old_module is None or new_module is None:
            return "the generated module of the operation was not found, so the change counts as breaking"
        code = status if status.isdigit() else status[0] + "00"
        payloads = known_payloads(self.old_document, path, method, status)
        before = decode_all(self.old_package, old_module, code, [body for _, body in payloads])
        decoded = [(name, body, old) for (name, body), old in zip(payloads, before, strict=True) if "models" in old]
        if not decoded:
            return "no known payload decodes with the base client, so nothing shows the new variant is harmless"
        after = decode_all(self.new_package, new_module, code, [body for _, body, _ in decoded])
        for (name, _, old), new in zip(decoded, after, strict=True):
            if "error" in new:
                return f"{name} no longer decodes: {new['error']}"
            if old["models"] != new["models"]:
                was = next((a for a, b in zip(old["models"], new["models"], strict=False) if a != b), old["models"][-1])
                now = next((b for a, b in zip(old["models"], new["models"], strict=False) if a != b), new["models"][-1])
                return f"{name} decoded to {was}, now to {now}"
        return None


def _models(value: Any, where: str, found: list[str]) -> None:
    import attrs

    if attrs.has(type(value)):
        found.append(f"{where}: {type(value).__name__}")
        for field in attrs.fields(type(value)):
            _models(getattr(value, field.name), f"{where}.{field.name}", found)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _models(item, f"{where}[{index}]", found)
    elif isinstance(value, dict):
        for key, item in value.items():
            _models(item, f"{where}[{key!r}]", found)


def _child(package_root: str, module_name: str, status: str) -> None:
    import importlib

    import httpx

    sys.path.insert(0, package_root)
    module = importlib.import_module(module_name)
    if not str(Path(module.__file__ or "").resolve()).startswith(str(Path(package_root).resolve())):
        raise SystemExit(f"{module_name} was imported from {module.__file__}, not from {package_root}")
    client_module = importlib.import_module(f"{PACKAGE}.client")
    try:
        client = client_module.Client(base_url="http://127.0.0.1:9")
    except TypeError:  # a client of another shape; the decoders of this generator do not use it
        client = None
    results: list[dict[str, Any]] = []
    for payload in json.loads(sys.stdin.read()):
        try:
            parsed = module._parse_response(client=client, response=httpx.Response(int(status), json=payload))
        except Exception as error:
            results.append({"error": f"{type(error).__name__}: {str(error)[:200]}"})
            continue
        found: list[str] = []
        _models(parsed, "$", found)
        results.append({"models": found})
    print(json.dumps(results))


if __name__ == "__main__":
    _child(*sys.argv[1:4])
