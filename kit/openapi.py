"""OpenAPI documents as data: JSON pointers, internal `$ref`s, and the operations under `paths`.

The one place for what the generator, the version rules, the contract run and the docs hooks each did their own
way: `pointer_tokens`/`resolve_pointer`/`find` (JSON pointers, unescaped with `bundle.unescape_pointer_token`),
`follow` (a chain of internal `$ref`s), `dangling_ref` (the first that points nowhere) and `operations` (paths
times the methods of a path item). References to other files are the bundler's business (`bundle.Bundler`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kit.bundle import escape_pointer_token, unescape_pointer_token

# The methods of an OpenAPI 3.1 path item, in the specification's order.
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# A chain of `$ref`s longer than this is a cycle: `follow` stops there.
MAX_HOPS = 50


def pointer_tokens(pointer: str) -> list[str]:
    """The unescaped tokens of a JSON pointer, `/a~1b/c` or the fragment `#/a~1b/c`."""
    return [unescape_pointer_token(raw) for raw in pointer.lstrip("#").split("/")[1:]]


def resolve_pointer(document: Any, pointer: str) -> Any:
    """What `pointer` points to in `document`; KeyError, IndexError, ValueError or TypeError when nothing is there."""
    node = document
    for token in pointer_tokens(pointer):
        node = node[int(token)] if isinstance(node, list) else node[token]
    return node


def find(document: Any, pointer: str) -> Any:
    """What `pointer` points to in `document`, or None when nothing is there."""
    try:
        return resolve_pointer(document, pointer)
    except (KeyError, IndexError, ValueError, TypeError):
        return None


def is_internal_ref(node: Any) -> bool:
    return isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#/")


def follow(document: Any, node: Any, pointer: str = "") -> tuple[Any, str]:
    """`node` (at `pointer`), or what its chain of internal `$ref`s ends at, with that pointer; None where a
    `$ref` points nowhere. At most MAX_HOPS references are followed."""
    for _ in range(MAX_HOPS):
        if not is_internal_ref(node):
            break
        pointer = node["$ref"][1:]
        node = find(document, pointer)
    return node, pointer


def dangling_ref(document: Any) -> tuple[str, str] | None:
    """The first (where, $ref) whose internal `#/...` target does not exist in `document`, else None."""
    stack: list[tuple[Any, str]] = [(document, "#")]
    while stack:
        node, where = stack.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/"):
                try:
                    resolve_pointer(document, ref)
                except (KeyError, IndexError, ValueError, TypeError):
                    return where, ref
            stack.extend((v, f"{where}/{escape_pointer_token(str(k))}") for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((v, f"{where}/{i}") for i, v in enumerate(node))
    return None


def operations(document: dict[str, Any], section: str = "paths") -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(path, method, operation) of every operation under `paths` (or `webhooks`, OpenAPI 3.1's deliveries, whose
    keys are names), in document order."""
    paths = document.get(section)
    for path, item in (paths if isinstance(paths, dict) else {}).items():
        if not isinstance(item, dict):
            continue
        for method in METHODS:
            if isinstance(item.get(method), dict):
                yield path, method, item[method]
