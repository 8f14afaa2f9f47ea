"""`.runner` on every instance and run model: the body the model template gives it (for scripts/spec/render.py).

Scope: the models that get `.runner` are the variants of the `Instance` and `Run` unions (`RUNNER_UNIONS`) and
every other model with a `cypressVersion` property (the runs listing's `RunListItem`, whose items are any
runner's). Each one's body is derived from its schema, so it follows the spec:

- `cypressVersion` required: `"cypress"`. Optional: `"cypress"` when the payload carries it.
- Otherwise the framework's `type`, at `framework` (instances) or `meta.framework` (runs): a `const` is read
  at generation time, any other value when the payload is read. `pw` reads `"playwright"`; every other type is
  the runner's own name (`cypress`, `jest`, `vitest`, `postman`, `node`, `wdio`, ...). So an instance that a
  newer Cypress reporter sent in the framework shape (`framework.type: "cypress"`, no `cypressVersion`), which
  decodes as `OtherFrameworkInstance`, reads `"cypress"`.
- A payload with neither (a listing item without `cypressVersion` and without `meta.framework`) reads
  `"unknown"`.
"""

from __future__ import annotations

from typing import Any

from openapi_python_client.strings import PythonIdentifier

from kit import openapi as oas

RUNNER_UNIONS = ("Instance", "Run")
RUNNER_NAMES = {"pw": "playwright"}  # a framework type that is not the runner's own name
UNKNOWN = "unknown"


def _resolve(document: dict[str, Any], node: Any) -> tuple[str | None, dict[str, Any]]:
    """The component name `node` refers to (None for an inline schema) and the schema itself."""
    node, pointer = oas.follow(document, node)
    return (oas.pointer_tokens(pointer)[-1] if pointer else None), node if isinstance(node, dict) else {}


def runner_models(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Component name -> schema of every model that gets `.runner`."""
    schemas = document.get("components", {}).get("schemas", {})
    found: dict[str, dict[str, Any]] = {}
    for union in RUNNER_UNIONS:
        for variant in _resolve(document, schemas.get(union))[1].get("oneOf", []):
            name, schema = _resolve(document, variant)
            if name:
                found[name] = schema
    for name, schema in schemas.items():
        if "cypressVersion" in _resolve(document, schema)[1].get("properties", {}):
            found.setdefault(name, _resolve(document, schema)[1])
    return found


def _framework_path(document: dict[str, Any], schema: dict[str, Any]) -> list[tuple[str, bool, dict[str, Any]]]:
    """(property, required, schema) steps from the model to its framework object: `framework` or `meta.framework`."""
    for path in (["framework"], ["meta", "framework"]):
        steps, current = [], schema
        for step in path:
            if step not in current.get("properties", {}):
                break
            child = _resolve(document, current["properties"][step])[1]
            steps.append((step, step in current.get("required", []), child))
            current = child
        else:
            return steps
    return []


def runner_body(document: dict[str, Any], schema: dict[str, Any], prefix: str) -> list[str]:
    """The lines of the `runner` property of a model with this schema."""

    def py(name: str) -> str:
        return str(PythonIdentifier(name, prefix))

    lines: list[str] = []
    if "cypressVersion" in schema.get("required", []):
        return ['return "cypress"']
    steps = _framework_path(document, schema)
    framework = steps[-1][2] if steps else {}
    kind_schema = _resolve(document, framework.get("properties", {}).get("type"))[1]
    always = steps and all(required for _, required, _ in steps) and "type" in framework.get("required", [])
    if always and "const" in kind_schema:  # the variant's own marker, whatever else the payload carries
        const = str(kind_schema["const"])
        return [f"return {RUNNER_NAMES.get(const, const)!r}"]
    if "cypressVersion" in schema.get("properties", {}):
        lines += [f"if self.{py('cypressVersion')} is not None:", '    return "cypress"']
    if not steps:
        return [*lines, f'return "{UNKNOWN}"']
    source, optional = "self", False
    for step, required, _ in steps:
        guard = f" if {source} is not None else None" if optional else ""
        lines.append(f"{py(step)} = {source}.{py(step)}{guard}")
        source, optional = py(step), optional or not required
    guard = f" if {source} is not None else None" if optional else ""
    lines.append(f"kind = {source}.{py('type')}{guard}")
    if optional:
        lines += ["if kind is None:", f'    return "{UNKNOWN}"']
    for value, name in RUNNER_NAMES.items():
        lines += [f"if kind == {value!r}:", f"    return {name!r}"]
    return [*lines, "return kind"]


def runner_properties(document: dict[str, Any], prefix: str) -> dict[str, list[str]]:
    """Class name -> the lines of its `runner` property (the template global `runner_properties`)."""
    return {name: runner_body(document, schema, prefix) for name, schema in runner_models(document).items()}
