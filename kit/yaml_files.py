"""The one YAML loader of the kit: spec files, overlays, the fixture manifest and the mock's keys.

Scope: YAML 1.1 as PyYAML's SafeLoader reads it (plain data: mappings, lists, strings, numbers, booleans,
null; anchors, aliases and `<<` merge keys, which the spec uses once), with what would hang or crash a
reader refused, each as one line naming the file, line and column:
- aliases that expand to more than MAX_NODES nodes in all (a "billion laughs" file), or whose expansion
  nests deeper than MAX_DEPTH: PyYAML shares an aliased node, but every reader that copies or walks the
  data (the bundler, the overlay applier, json.dumps) expands it;
- an alias inside its own anchor (`&a [*a]`), which makes a cycle;
- duplicate keys in a mapping, which YAML forbids and PyYAML silently resolves to the last one;
- nesting deeper than MAX_DEPTH, which would otherwise end in a RecursionError;
- an unreadable, missing or non-UTF-8 file, or invalid YAML.

Errors: raises the caller's `UserError` subclass (`error=`), whose text is
`FILE:LINE:COLUMN: invalid YAML: what` or `FILE: no such file` / `FILE: cannot read: why`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode

from kit._cli import UserError, display_path

MAX_DEPTH = 128  # the spec nests about 20 deep; PyYAML recurses a few frames per level
MAX_NODES = 1_000_000  # the whole spec is about 10,000 nodes
MERGE_TAG = "tag:yaml.org,2002:merge"


class _Refused(yaml.MarkedYAMLError):
    """A construct the strict loader refuses; a MarkedYAMLError so that it carries its position."""


class StrictLoader(yaml.SafeLoader):
    """SafeLoader without runaway aliases, duplicate keys or deep nesting (see the module docstring)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _Refused(problem=f"nested deeper than {MAX_DEPTH} levels", problem_mark=self._mark())
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def get_single_node(self) -> Node | None:
        node = super().get_single_node()
        if node is not None:
            _check_expansion(node)
        return node

    def _mark(self) -> Any:
        return self.peek_event().start_mark  # type: ignore[no-untyped-call]

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        """The mapping, refusing a key written twice in it (keys a `<<` merge brings in may be overridden)."""
        seen: set[tuple[str, str]] = set()
        for key_node, _ in node.value:
            if isinstance(key_node, ScalarNode) and key_node.tag != MERGE_TAG:
                key = (key_node.tag, key_node.value)
                if key in seen:
                    raise _Refused(problem=f"duplicate key {key_node.value!r}", problem_mark=key_node.start_mark)
                seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _check_expansion(root: Node) -> None:
    """Refuse a node graph whose aliases expand too far or too deep, or form a cycle (module docstring)."""
    measured: dict[int, int] = {}  # id(node) -> the number of nodes it expands to
    active: set[int] = set()

    def expanded(node: Node, depth: int) -> int:
        if depth > MAX_DEPTH:
            raise _Refused(problem=f"aliases expand deeper than {MAX_DEPTH} levels", problem_mark=node.start_mark)
        key = id(node)
        if key in measured:
            return measured[key]
        if key in active:
            raise _Refused(problem="an alias refers to the node that contains it", problem_mark=node.start_mark)
        active.add(key)
        children = [n for pair in node.value for n in pair] if isinstance(node, MappingNode) else node.value
        size = 1 + sum(expanded(child, depth + 1) for child in children) if isinstance(node.value, list) else 1
        active.discard(key)
        if size > MAX_NODES:
            raise _Refused(problem=f"aliases expand to more than {MAX_NODES:,} nodes", problem_mark=node.start_mark)
        measured[key] = size
        return size

    expanded(root, 1)


def load_yaml(path: Path, error: type[UserError] = UserError) -> Any:
    """The data of the YAML file at `path`; anything wrong is `error`, one line naming the file."""
    where = display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(f"{where}: no such file") from None
    except IsADirectoryError:
        raise error(f"{where}: is a directory, not a file") from None
    except OSError as exc:
        raise error(f"{where}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise error(f"{where}: not UTF-8 text") from None
    try:
        return yaml.load(text, Loader=StrictLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise error(f"{where}{at}: invalid YAML: {' '.join(str(problem).split())}") from None
    except RecursionError:
        raise error(f"{where}: invalid YAML: nested too deeply") from None
