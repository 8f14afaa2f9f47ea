"""Check each operation's `x-currents-pagination`, which the endpoint template builds `iterate`/`aiterate` from.

Scope: the style (`cursor` or `offset`), the parameters it names, where the items (with their `cursor`) and the
paging hints are in the 200 body, and the property that identifies an item (`item-id`, optional). The templates
trust what this checks, so a wrong extension is refused before rendering, in one line naming the operation.
"""

from __future__ import annotations

from typing import Any

from kit import bundle
from kit import openapi as oas
from kit._cli import display_path
from scripts.spec.sources import GenerationError

PAGINATION = "x-currents-pagination"


def _resolve(document: dict[str, Any], node: Any) -> Any:
    """`node`, or what its internal `$ref` points to (followed until it is no reference)."""
    return oas.follow(document, node)[0]


def pagination_problem(document: dict[str, Any], operation: dict[str, Any]) -> str | None:
    """What is wrong with the operation's x-currents-pagination, or None. The templates trust what this checks:
    the style, the parameters it names, where the items (with their `cursor`) and the paging hints are, and the
    property that identifies an item (`item-id`, optional)."""
    extension = operation[PAGINATION]
    style = extension.get("style") if isinstance(extension, dict) else None
    if style not in ("cursor", "offset"):
        return "`style` must be `cursor` or `offset`"
    names = {(_resolve(document, p) or {}).get("name") for p in operation.get("parameters", [])}
    position = "cursor-parameter" if style == "cursor" else "page-parameter"
    for key in (position, "reverse-parameter"):
        if (key == position or key in extension) and extension.get(key) not in names:
            return f"`{key}` names {extension.get(key)!r}, which is not a parameter of the operation"
    if not isinstance(extension.get("items"), str):
        return "`items` must be the dotted path of the items in the 200 body, such as `data`"
    response = _resolve(document, operation.get("responses", {}).get("200")) or {}
    body = _resolve(document, response.get("content", {}).get("application/json", {}).get("schema")) or {}
    parent: dict[str, Any] = {}
    schema: Any = body
    for segment in extension["items"].split("."):
        if not isinstance(schema, dict) or segment not in schema.get("required", []):
            return f"`items`: the 200 body has no required `{extension['items']}`"
        parent, schema = schema, _resolve(document, schema.get("properties", {}).get(segment))
    item = (
        _resolve(document, schema.get("items")) if isinstance(schema, dict) and schema.get("type") == "array" else None
    )
    if not isinstance(item, dict):
        return f"`items`: `{extension['items']}` is not an array of objects"
    if style == "cursor" and ("has_more" not in body.get("required", []) or "cursor" not in item.get("required", [])):
        return "cursor pagination needs a required `has_more` in the body and a required `cursor` on each item"
    if style == "offset" and not {"nextPage", "total"} <= set(parent.get("required", [])):
        return f"offset pagination needs a required `nextPage` and `total` beside `{extension['items']}`"
    identity = extension.get("item-id")
    if identity is not None:
        kind = (_resolve(document, item.get("properties", {}).get(identity)) or {}).get("type")
        if identity not in item.get("required", []) or kind not in ("string", "integer"):
            return f"`item-id` names {identity!r}, which is not a required string or integer property of the items"
    return None


def check_pagination(document: dict[str, Any]) -> None:
    """Refuse, in one line naming the operation, an x-currents-pagination the templates cannot build from."""
    for path, method, operation in oas.operations(document):
        if PAGINATION in operation:
            problem = pagination_problem(document, operation)
            if problem:
                name = operation.get("operationId", f"{method.upper()} {path}")
                raise GenerationError(f"{display_path(bundle.ENTRY)}: {name}: {PAGINATION}: {problem}")
