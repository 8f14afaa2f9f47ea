"""Bundle the split source spec into one self-contained OpenAPI document.

Scope: reads `openapi/currents.yaml` and every file it `$ref`s (YAML or JSON,
relative paths only), and returns a single document whose every `$ref` is
internal (`#/...`).

How references resolve:
- A component listed in the entry file as `Name: {$ref: file#/pointer}` is
  hoisted: its definition takes the listing's place, and every reference to
  `file#/pointer`, from any file, becomes `#/components/<section>/Name`.
- Any other external target is inlined where it is referenced.
- A reference inside a split file that is relative to that file (`#/Foo`)
  resolves in that file, as JSON Reference says.

Limits: no remote (http) references; a recursive schema must be listed in
the entry file's components. The input files are never written.

Errors: `SpecError`, one line naming the file and the JSON pointer of the
offending `$ref`.

As a script: `python -m kit.bundle [ENTRY] [--out FILE]` prints or writes
the bundled JSON. Exit status: 0 on success, 2 on bad input.
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from pathlib import Path
from typing import Any

from kit._cli import ROOT, UserError, display_path, read_json, run
from kit.yaml_files import load_yaml

ENTRY = ROOT / "openapi" / "currents.yaml"

Location = tuple[Path, str]  # (absolute file, JSON pointer without the leading '#')


class SpecError(UserError):
    """The source spec cannot be read or one of its references cannot be resolved."""


def escape_pointer_token(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def unescape_pointer_token(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def load_file(path: Path) -> Any:
    """Load one YAML or JSON file (the kit's strict readers), with a one-line error naming it."""
    if path.suffix == ".json":
        try:
            return read_json(path)
        except UserError as exc:
            raise SpecError(str(exc)) from None
    return load_yaml(path, SpecError)


class Bundler:
    """Resolves references of one entry file; see the module docstring."""

    def __init__(self, entry: Path) -> None:
        self.entry = entry.resolve()
        self.files: dict[Path, Any] = {}
        self.hoisted: dict[Location, str] = {}

    def document(self, path: Path) -> Any:
        if path not in self.files:
            self.files[path] = load_file(path)
        return self.files[path]

    def target(self, location: Location, referrer: str) -> Any:
        path, pointer = location
        node = self.document(path)
        for raw in [t for t in pointer.split("/")[1:]] if pointer else []:
            token = unescape_pointer_token(raw)
            if isinstance(node, dict) and token in node:
                node = node[token]
            elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
                node = node[int(token)]
            else:
                raise SpecError(f"{referrer}: $ref target {display_path(path)}#{pointer} does not exist")
        return node

    def locate(self, ref: str, base: Path, referrer: str) -> Location:
        if not isinstance(ref, str):
            raise SpecError(f"{referrer}: $ref must be a string")
        file_part, _, pointer = ref.partition("#")
        if "://" in file_part:
            raise SpecError(f"{referrer}: remote $ref {ref!r} is not supported")
        if pointer and not pointer.startswith("/"):
            raise SpecError(f"{referrer}: $ref {ref!r} must use a JSON pointer after '#'")
        path = (base.parent / file_part).resolve() if file_part else base
        return path, pointer

    def bundle(self) -> dict[str, Any]:
        root = self.document(self.entry)
        if not isinstance(root, dict):
            raise SpecError(f"{display_path(self.entry)}: the document must be a mapping")
        components = root.get("components") or {}
        for section, entries in components.items():
            for name, node in (entries or {}).items():
                if isinstance(node, dict) and set(node) == {"$ref"} and not str(node["$ref"]).startswith("#"):
                    where = f"{display_path(self.entry)}#/components/{section}/{name}"
                    location = self.locate(node["$ref"], self.entry, where)
                    pointer = f"#/components/{escape_pointer_token(section)}/{escape_pointer_token(name)}"
                    self.hoisted[location] = pointer
        result: dict[str, Any] = self.resolve(root, self.entry, "", frozenset())
        for location, pointer in self.hoisted.items():
            section, name = (unescape_pointer_token(t) for t in pointer.split("/")[2:4])
            where = f"{display_path(location[0])}#{location[1]}"
            definition = self.target(location, where)
            result["components"][section][name] = self.resolve(
                definition, location[0], location[1], frozenset({location})
            )
        return result

    def resolve(self, node: Any, base: Path, pointer: str, inlining: frozenset[Location]) -> Any:
        if isinstance(node, list):
            return [self.resolve(item, base, f"{pointer}/{i}", inlining) for i, item in enumerate(node)]
        if not isinstance(node, dict):
            return node
        if "$ref" in node:
            referrer = f"{display_path(base)}#{pointer}/$ref"
            location = self.locate(node["$ref"], base, referrer)
            siblings = {k: v for k, v in node.items() if k != "$ref"}
            if location in self.hoisted:
                resolved: Any = {"$ref": self.hoisted[location]}
            elif location[0] == self.entry:
                resolved = {"$ref": "#" + location[1]}
                self.target(location, referrer)
            else:
                if location in inlining:
                    raise SpecError(f"{referrer}: recursive $ref must be listed in the entry file's components")
                target = self.target(location, referrer)
                resolved = self.resolve(copy.deepcopy(target), location[0], location[1], inlining | {location})
            if siblings and isinstance(resolved, dict):
                resolved = {**resolved, **self.resolve(siblings, base, pointer, inlining)}
            return resolved
        return {
            key: self.resolve(value, base, f"{pointer}/{escape_pointer_token(str(key))}", inlining)
            for key, value in node.items()
        }


# One process may bundle the same sources many times (the mock bundles them each time it starts, and the tests
# start it hundreds of times): the document is kept with the bytes of every file it was read from, and reused
# while each of them reads the same. A copy is returned each time, so a caller may change it.
_bundled: dict[Path, tuple[dict[Path, bytes | None], dict[str, Any]]] = {}


def _contents(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def bundle(entry: Path = ENTRY) -> dict[str, Any]:
    """Return the bundled document of `entry` (see `_bundled` above for its reuse)."""
    key = entry.resolve()
    kept = _bundled.get(key)
    if kept is not None and all(_contents(path) == data for path, data in kept[0].items()):
        return copy.deepcopy(kept[1])
    bundler = Bundler(entry)
    document = bundler.bundle()
    _bundled[key] = ({path: _contents(path) for path in bundler.files}, document)
    return copy.deepcopy(document)


def dumps(document: Any) -> str:
    """The canonical JSON text of a bundled document, as committed."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Bundle the split source spec into one JSON document.")
    parser.add_argument("entry", nargs="?", type=Path, default=ENTRY)
    parser.add_argument("--out", type=Path, help="write here instead of standard output")
    args = parser.parse_args(argv)
    text = dumps(bundle(args.entry))
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    run(main)
