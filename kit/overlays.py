"""Apply OpenAPI Overlay Specification 1.0.x documents to an OpenAPI document.

Scope (spec text: https://spec.openapis.org/overlay/v1.0.0):
- Actions run in order; each one sees the result of the previous one.
- ``target`` is an RFC 9535 JSONPath query, evaluated by ``jsonpath-rfc9535``
  (strict RFC 9535: names such as ``x-foo`` need brackets, ``$.paths['/a']['x-foo']``).
- ``update`` on an object target is merged recursively: nested objects merge,
  nested arrays are concatenated, nested primitives (and null) are replaced; any
  other pairing (object vs array, object vs primitive, ...) is an error.
- ``update`` on an array target appends the value as ONE entry (1.0: "an entry
  to append"), even when the value is itself a list.
- ``remove: true`` deletes every selected node from its parent; ``update`` is then
  ignored ("no impact if remove is true"). ``remove: false`` never removes.

Limits and deliberate strictness:
- Only ``overlay: 1.0.N`` documents; 1.1 fields (``copy``, ``info.description``)
  and unknown non-``x-`` fields are rejected, as the 1.0 schema does.
- Targets must select objects or arrays (1.0: "not primitive types or null").
- A target selecting nothing is an error (project policy; the spec allows it),
  so stale overlays fail loudly. ``extends`` is refused rather than silently
  ignored: the kit decides which document an overlay applies to.
- Mapping keys are compared as loaded and must be strings: quote ``'200':``.

Errors: every problem raises ``OverlayError`` whose str() is one line naming the
overlay file and the place, e.g. ``o.yaml: actions[3] (target "$.x"): selects nothing``.
The input document is never mutated; results keep dict insertion order.
"""

from __future__ import annotations

import pathlib
import re
from collections.abc import Callable, Iterable
from typing import Any, cast

from jsonpath_rfc9535 import (
    JSONPathEnvironment,
    JSONPathError,
    JSONPathNode,
    JSONPathQuery,
)

from kit._cli import UserError
from kit.yaml_files import load_yaml

_ENV = JSONPathEnvironment()
_VERSION = re.compile(r"1\.0\.\d+")  # pattern of the official 1.0 JSON Schema
_FIELDS = {
    "": {"overlay", "info", "extends", "actions"},
    "info": {"title", "version"},
    "action": {"target", "description", "update", "remove"},
}


class OverlayError(UserError):
    """A malformed overlay or an action that cannot be applied (one-line message)."""


_Fail = Callable[[str, str], OverlayError]


def load_overlay(path: pathlib.Path) -> dict[str, Any]:
    """Read and validate an overlay file (YAML or JSON)."""
    data = load_yaml(path, OverlayError)
    _parse(data, str(path))
    return cast(dict[str, Any], data)


def apply_overlay(document: Any, overlay: dict[str, Any], *, source: str = "<overlay>") -> Any:
    """Return a new document with ``overlay``'s actions applied in order."""
    actions = _parse(overlay, source)
    result = _clone(document)
    for index, (action, query) in enumerate(actions):
        label = f'{source}: actions[{index}] (target "{action["target"]}")'
        # RFC 9535 may select one node twice ($['a','a']); act on each location once.
        nodes = list({node.location: node for node in query.find(result)}.values())
        if not nodes:
            raise OverlayError(f"{label}: selects nothing")
        for node in nodes:
            if not isinstance(node.value, (dict, list)):
                raise OverlayError(
                    f"{label}: selects {_kind(node.value)} at {node.path()};"
                    " Overlay 1.0 targets must be objects or arrays"
                )
        if action.get("remove", False):
            _remove(nodes, label)
        else:
            for node in nodes:
                _update(node, action["update"], label)
    return result


def apply_overlay_files(document: Any, paths: Iterable[pathlib.Path]) -> Any:
    """Apply overlay files in order; returns a new document even for no paths."""
    result = _clone(document)
    for path in paths:
        result = apply_overlay(result, load_overlay(path), source=str(path))
    return result


def _parse(overlay: object, source: str) -> list[tuple[dict[str, Any], JSONPathQuery]]:
    def fail(where: str, problem: str) -> OverlayError:
        return OverlayError(f"{source}: {where}: {problem}")

    if not isinstance(overlay, dict):
        raise OverlayError(f"{source}: overlay document must be a mapping, got {_got(overlay)}")
    _check_fields(overlay, "", "", fail)
    version = overlay.get("overlay")
    if not isinstance(version, str) or not _VERSION.fullmatch(version):
        raise fail("overlay", f'must be a 1.0.x version string such as "1.0.0", got {_got(version)}')
    info = overlay.get("info")
    if not isinstance(info, dict):
        raise fail("info", f"must be a mapping with title and version, got {_got(info)}")
    _check_fields(info, "info", "info.", fail)
    for field in ("title", "version"):
        if not isinstance(info.get(field), str):
            raise fail(f"info.{field}", f"must be a string, got {_got(info.get(field))}")
    if "extends" in overlay:
        raise fail(
            "extends",
            "is not supported: the kit applies each overlay to the document it builds (scripts/spec/sources.py, "
            "scripts/contract/drift.py), so the document named here would be ignored; remove the field",
        )
    actions = overlay.get("actions")
    if not isinstance(actions, list) or not actions:
        raise fail("actions", f"must be a non-empty list, got {_got(actions)}")
    parsed = []
    for index, action in enumerate(actions):
        where = f"actions[{index}]"
        if not isinstance(action, dict):
            raise fail(where, f"must be a mapping, got {_got(action)}")
        _check_fields(action, "action", f"{where}.", fail)
        target = action.get("target")
        if not isinstance(target, str):
            raise fail(f"{where}.target", f"must be a JSONPath string, got {_got(target)}")
        if not isinstance(action.get("description", ""), str):
            raise fail(f"{where}.description", "must be a string")
        if not isinstance(action.get("remove", False), bool):
            raise fail(f"{where}.remove", f"must be true or false, got {_got(action['remove'])}")
        if "update" not in action and not action.get("remove", False):
            raise fail(where, "does nothing: needs `update` or `remove: true`")
        _check_keys(action.get("update"), f"{where}.update", fail)
        try:
            parsed.append((action, _ENV.compile(target)))
        except JSONPathError as exc:
            raise fail(f"{where}.target", f'invalid JSONPath "{target}": {_one_line(exc)}') from None
    return parsed


def _check_fields(obj: dict[Any, Any], kind: str, prefix: str, fail: _Fail) -> None:
    allowed = _FIELDS[kind]
    for key in obj:
        if key not in allowed and not (isinstance(key, str) and key.startswith("x-")):
            raise fail(f"{prefix}{key}", f"unknown field (Overlay 1.0 allows {', '.join(sorted(allowed))}, x-*)")


def _check_keys(value: Any, where: str, fail: _Fail) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise fail(where, f"key {key!r} must be a string (quote it in YAML)")
            _check_keys(item, f"{where}.{key}", fail)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _check_keys(item, f"{where}[{i}]", fail)


def _update(node: JSONPathNode, update: Any, label: str) -> None:
    if isinstance(node.value, list):
        node.value.append(_clone(update))
    elif isinstance(node.value, dict) and isinstance(update, dict):
        _merge(node.value, update, node, label)
    else:
        raise OverlayError(
            f"{label}: update must be an object to merge into the object at {node.path()}, got {_kind(update)}"
        )


def _merge(target: dict[Any, Any], update: dict[Any, Any], node: JSONPathNode, label: str) -> None:
    for key, new in update.items():
        old = target.get(key)
        if key not in target:
            target[key] = _clone(new)
        elif isinstance(old, dict) and isinstance(new, dict):
            _merge(old, new, node.new_child(old, key, node), label)
        elif isinstance(old, list) and isinstance(new, list):
            old.extend(_clone(new))
        elif not isinstance(old, (dict, list)) and not isinstance(new, (dict, list)):
            target[key] = new
        else:
            where = node.new_child(old, key, node).path()
            raise OverlayError(f"{label}: cannot merge {_kind(new)} into {_kind(old)} at {where}")


def _remove(nodes: list[JSONPathNode], label: str) -> None:
    slots: list[tuple[Any, int | str]] = []
    for node in nodes:
        if node.parent is None:
            raise OverlayError(f"{label}: cannot remove the document root")
        slots.append((node.parent.value, node.location[-1]))
    # Delete the highest array indices first so earlier deletions do not shift later ones.
    slots.sort(key=lambda slot: slot[1] if isinstance(slot[1], int) else -1, reverse=True)
    for parent, key in slots:
        del parent[key]


def _clone(value: Any) -> Any:
    """Deep copy that, unlike copy.deepcopy, un-shares YAML aliases (&a/*a) too."""
    if isinstance(value, dict):
        return {key: _clone(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_clone(item) for item in value]
    return value


def _kind(value: object) -> str:
    return "an object" if isinstance(value, dict) else "an array" if isinstance(value, list) else "a primitive value"


def _got(value: object) -> str:
    if value is None:
        return "nothing"
    return repr(value) if isinstance(value, (str, int, float)) else _kind(value)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())
