"""Classify every change between two client-facing OpenAPI documents, from the client's consumers' point of view.

Scope: two bundled OpenAPI 3.1 documents (`generated/openapi.json` at a base and now), all `$ref`s internal.
Consumers send requests (parameters, request bodies: a change that refuses what they sent before breaks them)
and read responses (a change that gives them less, or something else, breaks them). Every operation is walked
with its parameters, request bodies, responses and security; schemas are compared through their `$ref`s, and a
finding points at the place it was made (the component, not each operation that uses it). Whatever the rules
do not cover (descriptions, examples, servers, ...) is still reported, as `info`, so that no change of the
document goes unseen.

The rule table, with where it agrees and differs with oasdiff and why, is `scripts/versions/breaking.md`; `RULES` in
`scripts/versions/rules.py` is its code, and a test keeps the two in step. This module walks the documents (the
operations, their parameters, bodies, responses and security, and the fallback); the schemas they reach are
compared by `scripts/versions/schema_diff.py`.

Limits: `allOf` is compared member by member, in order; `not` is compared as a whole; response headers,
links and callbacks fall to the `info` fallback.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kit import openapi as oas
from kit.bundle import escape_pointer_token as escape
from scripts.versions.rules import LEVELS, Change, Direction, VariantCheck
from scripts.versions.schema_diff import SchemaComparer


class _Comparer(SchemaComparer):
    """The walk over the two documents: operations, parameters, request bodies, responses, security, the rest."""

    # --- the document -------------------------------------------------------------------------------------
    def compare(self) -> list[Change]:
        old_ops, new_ops = dict(self._operations(self.old)), dict(self._operations(self.new))
        for key in old_ops.keys() - new_ops.keys():
            path, method = key
            self.add("operation-removed", f"/paths/{escape(path)}/{method}", f"{method.upper()} {path} was removed")
        for key in new_ops.keys() - old_ops.keys():
            path, method = key
            self.add("operation-added", f"/paths/{escape(path)}/{method}", f"{method.upper()} {path} was added")
        for key in sorted(old_ops.keys() & new_ops.keys()):
            self._operation(key[0], key[1], old_ops[key], new_ops[key])
        self._security_schemes()
        self._fallback()
        order = {level: i for i, level in enumerate(LEVELS)}
        return sorted(self.changes.values(), key=lambda c: (order[c.level], c.pointer, c.rule, c.message))

    @staticmethod
    def _operations(document: dict[str, Any]) -> Iterator[tuple[tuple[str, str], dict[str, Any]]]:
        for path, method, operation in oas.operations(document):
            yield (path, method), operation

    def _operation(self, path: str, method: str, old: dict[str, Any], new: dict[str, Any]) -> None:
        where = f"/paths/{escape(path)}/{method}"
        name = f"{method.upper()} {path}"
        if old.get("operationId") != new.get("operationId"):
            self.add(
                "operation-id-changed",
                f"{where}/operationId",
                f"{name}: operationId {old.get('operationId')!r} became {new.get('operationId')!r}, "
                "which renames its Python module",
            )
        old_tag, new_tag = (old.get("tags") or [None])[0], (new.get("tags") or [None])[0]
        if old_tag != new_tag:
            self.add(
                "operation-tag-changed",
                f"{where}/tags",
                f"{name}: first tag {old_tag!r} became {new_tag!r}, which moves its module to another api package",
            )
        if new.get("deprecated") and not old.get("deprecated"):
            self.add("operation-deprecated", f"{where}/deprecated", f"{name} is deprecated")
        self._parameters(path, method, name)
        self._request_body(where, name, old.get("requestBody"), new.get("requestBody"))
        self._responses(path, method, name, old.get("responses") or {}, new.get("responses") or {})
        self._security(where, name, old, new)

    # --- parameters ---------------------------------------------------------------------------------------
    def _parameter_map(
        self, document: dict[str, Any], path: str, method: str
    ) -> dict[tuple[str, str], tuple[dict[str, Any], str]]:
        found: dict[tuple[str, str], tuple[dict[str, Any], str]] = {}
        item = document["paths"][path]
        for base, parameters in (
            (f"/paths/{escape(path)}/parameters", item.get("parameters") or []),
            (f"/paths/{escape(path)}/{method}/parameters", item[method].get("parameters") or []),
        ):
            for index, raw in enumerate(parameters):
                parameter, pointer = self._deref(document, raw, f"{base}/{index}")
                if isinstance(parameter, dict) and "name" in parameter:
                    found[(parameter["name"], parameter.get("in", "query"))] = (parameter, pointer)
        return found

    def _parameters(self, path: str, method: str, name: str) -> None:
        old_map = self._parameter_map(self.old, path, method)
        new_map = self._parameter_map(self.new, path, method)
        for key in sorted(old_map.keys() - new_map.keys()):
            self.add("parameter-removed", old_map[key][1], f"{name}: the {key[1]} parameter {key[0]!r} was removed")
        for key in sorted(new_map.keys() - old_map.keys()):
            parameter, pointer = new_map[key]
            required = bool(parameter.get("required")) or key[1] == "path"
            self.add(
                "parameter-added-required" if required else "parameter-added-optional",
                pointer,
                f"{name}: {'required' if required else 'optional'} {key[1]} parameter {key[0]!r} was added",
            )
        for key in sorted(old_map.keys() & new_map.keys()):
            (old, old_ptr), (new, new_ptr) = old_map[key], new_map[key]
            was, now = bool(old.get("required")), bool(new.get("required"))
            if now and not was:
                self.add(
                    "parameter-became-required", f"{new_ptr}/required", f"{name}: parameter {key[0]!r} is required"
                )
            elif was and not now:
                self.add(
                    "parameter-became-optional", f"{new_ptr}/required", f"{name}: parameter {key[0]!r} is optional"
                )
            if isinstance(old.get("schema"), dict) and isinstance(new.get("schema"), dict):
                self.schema(old["schema"], new["schema"], f"{old_ptr}/schema", f"{new_ptr}/schema", "request")

    # --- request bodies -----------------------------------------------------------------------------------
    def _request_body(self, where: str, name: str, old_raw: Any, new_raw: Any) -> None:
        if old_raw is None and new_raw is None:
            return
        if new_raw is None:
            self.add("request-body-removed", f"{where}/requestBody", f"{name}: the request body was removed")
            return
        new, new_ptr = self.new_deref(new_raw, f"{where}/requestBody")
        if old_raw is None:
            required = bool(new.get("required"))
            self.add(
                "request-body-added-required" if required else "request-body-added-optional",
                new_ptr,
                f"{name}: a {'required' if required else 'optional'} request body was added",
            )
            return
        old, old_ptr = self.old_deref(old_raw, f"{where}/requestBody")
        if new.get("required") and not old.get("required"):
            self.add("request-body-became-required", f"{new_ptr}/required", f"{name}: the request body is required")
        elif old.get("required") and not new.get("required"):
            self.add("request-body-became-optional", f"{new_ptr}/required", f"{name}: the request body is optional")
        self._content(old, new, old_ptr, new_ptr, name, "request")

    def _content(
        self, old: dict[str, Any], new: dict[str, Any], old_ptr: str, new_ptr: str, name: str, direction: Direction
    ) -> None:
        old_content, new_content = old.get("content") or {}, new.get("content") or {}
        for media in sorted(old_content.keys() - new_content.keys()):
            self.add(
                f"{direction}-media-type-removed",
                f"{old_ptr}/content/{escape(media)}",
                f"{name}: {direction} media type {media} was removed",
            )
        for media in sorted(new_content.keys() - old_content.keys()):
            self.add(
                f"{direction}-media-type-added",
                f"{new_ptr}/content/{escape(media)}",
                f"{name}: {direction} media type {media} was added",
            )
        for media in sorted(old_content.keys() & new_content.keys()):
            old_schema, new_schema = old_content[media].get("schema"), new_content[media].get("schema")
            if isinstance(old_schema, dict) and isinstance(new_schema, dict):
                self.schema(
                    old_schema,
                    new_schema,
                    f"{old_ptr}/content/{escape(media)}/schema",
                    f"{new_ptr}/content/{escape(media)}/schema",
                    direction,
                )

    # --- responses ----------------------------------------------------------------------------------------
    def _responses(self, path: str, method: str, name: str, old: dict[str, Any], new: dict[str, Any]) -> None:
        where = f"/paths/{escape(path)}/{method}/responses"
        for status in sorted(old.keys() - new.keys()):
            rule = "response-success-status-removed" if status.startswith("2") else "response-error-status-removed"
            self.add(rule, f"{where}/{escape(status)}", f"{name}: response status {status} was removed")
        for status in sorted(new.keys() - old.keys()):
            rule = "response-success-status-added" if status.startswith("2") else "response-error-status-added"
            self.add(rule, f"{where}/{escape(status)}", f"{name}: response status {status} was added")
        for status in sorted(old.keys() & new.keys()):
            old_response, old_ptr = self.old_deref(old[status], f"{where}/{escape(status)}")
            new_response, new_ptr = self.new_deref(new[status], f"{where}/{escape(status)}")
            if isinstance(old_response, dict) and isinstance(new_response, dict):
                self.operation = (path, method, status)
                self._content(old_response, new_response, old_ptr, new_ptr, f"{name} {status}", "response")
                self.operation = ("", "", "")

    # --- security -----------------------------------------------------------------------------------------
    @staticmethod
    def _requirements(document: dict[str, Any], operation: dict[str, Any]) -> dict[frozenset[str], set[str]]:
        declared = operation["security"] if "security" in operation else document.get("security") or []
        found: dict[frozenset[str], set[str]] = {}
        for requirement in declared:
            if isinstance(requirement, dict):
                found[frozenset(requirement)] = {scope for scopes in requirement.values() for scope in scopes or []}
        return found

    def _security(self, where: str, name: str, old: dict[str, Any], new: dict[str, Any]) -> None:
        old_req, new_req = self._requirements(self.old, old), self._requirements(self.new, new)
        pointer = f"{where}/security" if "security" in new else "/security"
        if old_req != new_req:
            self.covered.update({f"{where}/security", "/security"})
        anonymous_old = not old_req or frozenset() in old_req
        anonymous_new = not new_req or frozenset() in new_req
        if anonymous_old and not anonymous_new:
            self.add("security-required-added", pointer, f"{name} now requires credentials")
            return
        if anonymous_new and not anonymous_old:
            self.add("security-removed", pointer, f"{name} no longer requires credentials")
            return
        for gone in sorted(old_req.keys() - new_req.keys(), key=sorted):
            if gone:
                self.add("security-alternative-removed", pointer, f"{name}: security {'+'.join(sorted(gone))} removed")
        for added in sorted(new_req.keys() - old_req.keys(), key=sorted):
            if added and old_req:
                self.add("security-alternative-added", pointer, f"{name}: security {'+'.join(sorted(added))} added")
        for kept in old_req.keys() & new_req.keys():
            more = new_req[kept] - old_req[kept]
            if more:
                self.add(
                    "security-required-added", pointer, f"{name}: security now needs scope(s) {', '.join(sorted(more))}"
                )

    def _security_schemes(self) -> None:
        old = (self.old.get("components") or {}).get("securitySchemes") or {}
        new = (self.new.get("components") or {}).get("securitySchemes") or {}
        for name in sorted(old.keys() & new.keys()):
            for field in ("type", "scheme", "in", "name", "bearerFormat"):
                if old[name].get(field) != new[name].get(field):
                    self.add(
                        "security-scheme-changed",
                        f"/components/securitySchemes/{escape(name)}/{field}",
                        f"security scheme {name}: {field} {old[name].get(field)!r} became {new[name].get(field)!r}",
                    )

    # --- everything else ----------------------------------------------------------------------------------
    def _fallback(self) -> None:
        """An `info` change for every difference no rule reported (descriptions, examples, servers, ...)."""
        covered = [c.pointer for c in self.changes.values()] + sorted(self.covered)
        reported: set[str] = set()
        for pointer, what in _raw_differences(self.old, self.new, ""):
            if pointer == "/info/version":
                continue
            if any(pointer == c or pointer.startswith(c + "/") or c.startswith(pointer + "/") for c in covered):
                continue
            shown = _collapse(pointer)
            if shown in reported:
                continue
            reported.add(shown)
            self.add("document-changed", shown, what if shown == pointer else "changed")


def _raw_differences(old: Any, new: Any, pointer: str) -> Iterator[tuple[str, str]]:
    if isinstance(old, dict) and isinstance(new, dict):
        for key in old.keys() - new.keys():
            yield f"{pointer}/{escape(key)}", "removed"
        for key in new.keys() - old.keys():
            yield f"{pointer}/{escape(key)}", "added"
        for key in old.keys() & new.keys():
            yield from _raw_differences(old[key], new[key], f"{pointer}/{escape(key)}")
    elif isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        for index, (a, b) in enumerate(zip(old, new, strict=True)):
            yield from _raw_differences(a, b, f"{pointer}/{index}")
    elif old != new or type(old) is not type(new):
        last = pointer.rsplit("/", 1)[-1]
        yield pointer, f"{last} changed" if not last.isdigit() else "changed"


def _collapse(pointer: str) -> str:
    """Report a change inside an example (or a description's neighbours) once, at the example."""
    parts = pointer.split("/")
    for i, part in enumerate(parts):
        if part in ("examples", "example") and i > 0:
            return "/".join(parts[: i + 2]) if part == "examples" and len(parts) > i + 1 else "/".join(parts[: i + 1])
    return pointer


def compare_documents(
    old: dict[str, Any], new: dict[str, Any], variant_check: VariantCheck | None = None
) -> list[Change]:
    """Every change from `old` to `new`, classified, breaking first."""
    return _Comparer(old, new, variant_check).compare()
