"""Classify every change between two client-facing OpenAPI documents, from the client's consumers' point of view.

Scope: two bundled OpenAPI 3.1 documents (`generated/openapi.json` at a base and now), all `$ref`s internal.
Consumers send requests (parameters, request bodies: a change that refuses what they sent before breaks them)
and read responses (a change that gives them less, or something else, breaks them). Every operation is walked
with its parameters, request bodies, responses and security; schemas are compared through their `$ref`s, and a
finding points at the place it was made (the component, not each operation that uses it). Whatever the rules
do not cover (descriptions, examples, servers, ...) is still reported, as `info`, so that no change of the
document goes unseen.

The rule table, with where it agrees and differs with oasdiff and why, is `scripts/breaking.md`; `RULES` below
is its code, and a test keeps the two in step.

Limits: `allOf` is compared member by member, in order; `not` is compared as a whole; response headers,
links and callbacks fall to the `info` fallback.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

from kit import openapi as oas
from kit.bundle import escape_pointer_token as escape

Level = Literal["breaking", "non-breaking", "info"]
Direction = Literal["request", "response"]
LEVELS: tuple[Level, ...] = ("breaking", "non-breaking", "info")
# Formats the generated client decodes into another Python type than str (openapi-python-client 0.29).
TYPED_FORMATS = frozenset({"date-time", "date", "uuid", "binary"})


@dataclass(frozen=True)
class Rule:
    level: Level
    group: str  # the changelog section: Breaking, Added or Changed


def _rule(level: Level, group: str | None = None) -> Rule:
    return Rule(level, group or ("Breaking" if level == "breaking" else "Changed"))


# Rule id -> level and changelog group. scripts/breaking.md explains each one.
RULES: dict[str, Rule] = {
    # operations
    "operation-removed": _rule("breaking"),
    "operation-added": _rule("non-breaking", "Added"),
    "operation-id-changed": _rule("breaking"),
    "operation-tag-changed": _rule("breaking"),
    "operation-deprecated": _rule("info"),
    # parameters
    "parameter-removed": _rule("breaking"),
    "parameter-added-required": _rule("breaking"),
    "parameter-added-optional": _rule("non-breaking", "Added"),
    "parameter-became-required": _rule("breaking"),
    "parameter-became-optional": _rule("non-breaking"),
    # request bodies
    "request-body-removed": _rule("breaking"),
    "request-body-added-required": _rule("breaking"),
    "request-body-added-optional": _rule("non-breaking", "Added"),
    "request-body-became-required": _rule("breaking"),
    "request-body-became-optional": _rule("non-breaking"),
    "request-media-type-removed": _rule("breaking"),
    "request-media-type-added": _rule("non-breaking", "Added"),
    # request schemas (parameters and bodies)
    "request-property-removed": _rule("breaking"),
    "request-property-added-required": _rule("breaking"),
    "request-property-added-optional": _rule("non-breaking", "Added"),
    "request-property-became-required": _rule("breaking"),
    "request-property-became-optional": _rule("non-breaking"),
    "request-type-changed": _rule("breaking"),
    "request-type-widened": _rule("non-breaking"),
    "request-became-not-nullable": _rule("breaking"),
    "request-became-nullable": _rule("non-breaking"),
    "request-enum-value-removed": _rule("breaking"),
    "request-enum-value-added": _rule("non-breaking", "Added"),
    "request-constraint-narrowed": _rule("breaking"),
    "request-constraint-widened": _rule("non-breaking"),
    "request-variant-removed": _rule("breaking"),
    "request-variant-added": _rule("non-breaking", "Added"),
    # responses
    "response-success-status-removed": _rule("breaking"),
    "response-success-status-added": _rule("breaking"),
    "response-error-status-removed": _rule("breaking"),
    "response-error-status-added": _rule("non-breaking"),
    "response-media-type-removed": _rule("breaking"),
    "response-media-type-added": _rule("non-breaking", "Added"),
    # response schemas
    "response-property-removed": _rule("breaking"),
    "response-property-added": _rule("non-breaking", "Added"),
    "response-property-became-optional": _rule("breaking"),
    "response-property-became-required": _rule("non-breaking"),
    "response-type-changed": _rule("breaking"),
    "response-type-narrowed": _rule("non-breaking"),
    "response-became-nullable": _rule("breaking"),
    "response-became-not-nullable": _rule("non-breaking"),
    "response-enum-value-added": _rule("non-breaking", "Added"),
    "response-enum-value-removed": _rule("non-breaking"),
    "response-variant-removed": _rule("breaking"),
    "response-variant-added": _rule("non-breaking", "Added"),
    "response-variant-added-redecodes": _rule("breaking"),
    # both directions
    "const-changed": _rule("breaking"),
    "format-changed-python-type": _rule("breaking"),
    "format-changed": _rule("info"),
    "composition-changed": _rule("breaking"),
    # security
    "security-required-added": _rule("breaking"),
    "security-alternative-removed": _rule("breaking"),
    "security-alternative-added": _rule("non-breaking", "Added"),
    "security-removed": _rule("non-breaking"),
    "security-scheme-changed": _rule("breaking"),
    # anything else
    "document-changed": _rule("info"),
}


@dataclass(frozen=True)
class Change:
    """One classified change: its level, where it is (a JSON pointer, or `python:` and a dotted path), the rule, one
    line of explanation, and the changelog group it goes under."""

    level: Level
    pointer: str
    rule: str
    message: str

    @property
    def group(self) -> str:
        return RULES[self.rule].group if self.rule in RULES else _API_GROUPS.get(self.rule, "Changed")

    def line(self) -> str:
        return f"{self.level:<12} {self.pointer}: {self.message}"


# Rules of the Python API comparison (scripts/api_diff.py), for the changelog group.
_API_GROUPS = {"python-api-removed": "Breaking", "python-api-changed": "Breaking", "python-api-added": "Added"}

# For a response oneOf that gained a variant: given the response's pointer in the new document, say whether every
# known payload still decodes to the same models (None), or describe the first one that does not.
VariantCheck = Callable[[str, str, str], str | None]


def _schema_types(schema: dict[str, Any]) -> set[str]:
    declared = schema.get("type")
    if declared is None:
        return set()
    return {declared} if isinstance(declared, str) else set(declared)


def _is_null_schema(schema: Any) -> bool:
    return isinstance(schema, dict) and (schema.get("type") == "null" or schema.get("const", ...) is None)


class _Comparer:
    def __init__(self, old: dict[str, Any], new: dict[str, Any], variant_check: VariantCheck | None) -> None:
        self.old, self.new = old, new
        self.variant_check = variant_check
        self.changes: dict[tuple[str, str, str], Change] = {}
        self.seen: set[tuple[str, str, Direction]] = set()
        self.covered: set[str] = set()  # places a rule reported through another pointer (a `required` list)
        self.operation: tuple[str, str, str] = ("", "", "")  # path, method, status of the response being walked

    def add(self, rule: str, pointer: str, message: str) -> None:
        key = (rule, pointer, message)
        if key not in self.changes:
            self.changes[key] = Change(RULES[rule].level, pointer, rule, message)

    # --- refs ---------------------------------------------------------------------------------------------
    @staticmethod
    def _deref(document: dict[str, Any], node: Any, pointer: str) -> tuple[Any, str]:
        return oas.follow(document, node, pointer)

    def old_deref(self, node: Any, pointer: str) -> tuple[Any, str]:
        return self._deref(self.old, node, pointer)

    def new_deref(self, node: Any, pointer: str) -> tuple[Any, str]:
        return self._deref(self.new, node, pointer)

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

    # --- schemas ------------------------------------------------------------------------------------------
    @staticmethod
    def _unwrap_null(schema: dict[str, Any]) -> tuple[dict[str, Any], bool, str]:
        """(the schema without a `oneOf`/`anyOf` null branch, whether it allows null, the pointer suffix)."""
        nullable = "null" in _schema_types(schema) or None in (schema.get("enum") or [])
        for keyword in ("oneOf", "anyOf"):
            members = schema.get(keyword)
            if isinstance(members, list) and any(_is_null_schema(m) for m in members):
                rest = [(i, m) for i, m in enumerate(members) if not _is_null_schema(m)]
                if len(rest) == 1:
                    siblings = {k: v for k, v in schema.items() if k != keyword}
                    if not siblings or set(siblings) <= {"description", "title", "default", "example", "examples"}:
                        return rest[0][1], True, f"/{keyword}/{rest[0][0]}"
                return schema, True, ""
        return schema, nullable, ""

    def schema(self, old: Any, new: Any, old_ptr: str, new_ptr: str, direction: Direction) -> None:
        old, old_ptr = self.old_deref(old, old_ptr)
        new, new_ptr = self.new_deref(new, new_ptr)
        if not isinstance(old, dict) or not isinstance(new, dict):
            return
        key = (old_ptr, new_ptr, direction)
        if key in self.seen:
            return
        self.seen.add(key)
        old, old_null, old_suffix = self._unwrap_null(old)
        new, new_null, new_suffix = self._unwrap_null(new)
        at = new_ptr
        if old_null != new_null:
            self._nullability(direction, at, old_null, new_null)
        if old_suffix or new_suffix:  # the real schema sits in a null-wrapping oneOf: compare it through any ref
            self.schema(old, new, old_ptr + old_suffix, new_ptr + new_suffix, direction)
            return
        self._types(direction, at, old, new)
        self._format(at, old, new)
        self._enum(direction, at, old, new)
        self._const(direction, at, old, new)
        if direction == "request":
            self._constraints(at, old, new)
        self._properties(direction, old, new, old_ptr, new_ptr)
        for keyword in ("items", "additionalProperties"):
            if isinstance(old.get(keyword), dict) and isinstance(new.get(keyword), dict):
                self.schema(old[keyword], new[keyword], f"{old_ptr}/{keyword}", f"{new_ptr}/{keyword}", direction)
        self._variants(direction, old, new, old_ptr, new_ptr)
        if old.get("not") != new.get("not"):
            self.add("composition-changed", f"{at}/not", "`not` changed, which changes what the client accepts")
        old_all, new_all = old.get("allOf") or [], new.get("allOf") or []
        if len(old_all) != len(new_all):
            self.add("composition-changed", f"{at}/allOf", f"allOf has {len(new_all)} members, was {len(old_all)}")
        else:
            for i, (a, b) in enumerate(zip(old_all, new_all, strict=True)):
                self.schema(a, b, f"{old_ptr}/allOf/{i}", f"{new_ptr}/allOf/{i}", direction)

    def _nullability(self, direction: Direction, at: str, was: bool, now: bool) -> None:
        if direction == "response":
            if now:
                self.add("response-became-nullable", at, "can now be null, which readers must handle")
            else:
                self.add("response-became-not-nullable", at, "is never null any more")
        elif now:
            self.add("request-became-nullable", at, "now accepts null")
        else:
            self.add("request-became-not-nullable", at, "no longer accepts null")

    def _types(self, direction: Direction, at: str, old: dict[str, Any], new: dict[str, Any]) -> None:
        was, now = _schema_types(old) - {"null"}, _schema_types(new) - {"null"}
        if not was or not now or was == now:
            return

        def within(small: set[str], large: set[str]) -> bool:
            return all(t in large or (t == "integer" and "number" in large) for t in small)

        text = f"type {'/'.join(sorted(was))} became {'/'.join(sorted(now))}"
        if direction == "response":
            rule = "response-type-narrowed" if within(now, was) else "response-type-changed"
        else:
            rule = "request-type-widened" if within(was, now) else "request-type-changed"
        self.add(rule, f"{at}/type", text)

    def _format(self, at: str, old: dict[str, Any], new: dict[str, Any]) -> None:
        was, now = old.get("format"), new.get("format")
        if was == now:
            return
        typed = was in TYPED_FORMATS or now in TYPED_FORMATS
        self.add(
            "format-changed-python-type" if typed else "format-changed",
            f"{at}/format",
            f"format {was!r} became {now!r}" + (", which changes the Python type" if typed else ""),
        )

    def _enum(self, direction: Direction, at: str, old: dict[str, Any], new: dict[str, Any]) -> None:
        was, now = old.get("enum"), new.get("enum")
        if was is None and now is None:
            return
        if was is None or now is None:
            closed = now is not None
            if direction == "request" and closed:
                self.add("request-enum-value-removed", f"{at}/enum", "now accepts only the listed values")
            elif direction == "request":
                self.add("request-enum-value-added", f"{at}/enum", "accepts any value now, not only a list")
            elif closed:
                self.add("response-enum-value-removed", f"{at}/enum", "is now one of a list of values")
            else:
                self.add("response-enum-value-added", f"{at}/enum", "is no longer limited to a list of values")
            return
        added = [v for v in now if v not in was]
        removed = [v for v in was if v not in now]
        if added:
            self.add(f"{direction}-enum-value-added", f"{at}/enum", f"value(s) {_values(added)} added")
        if removed:
            self.add(f"{direction}-enum-value-removed", f"{at}/enum", f"value(s) {_values(removed)} removed")

    def _const(self, direction: Direction, at: str, old: dict[str, Any], new: dict[str, Any]) -> None:
        if "const" in old and "const" in new and old["const"] != new["const"]:
            self.add("const-changed", f"{at}/const", f"const {old['const']!r} became {new['const']!r}")
        elif "const" in old and "const" not in new:
            rule = "request-constraint-widened" if direction == "request" else "const-changed"
            self.add(rule, f"{at}/const", f"is no longer the constant {old['const']!r}")
        elif "const" in new and "const" not in old:
            rule = "request-constraint-narrowed" if direction == "request" else "response-type-narrowed"
            self.add(rule, f"{at}/const", f"is now the constant {new['const']!r}")

    def _constraints(self, at: str, old: dict[str, Any], new: dict[str, Any]) -> None:
        for keyword, tighter in (
            ("maxLength", -1),
            ("maximum", -1),
            ("exclusiveMaximum", -1),
            ("maxItems", -1),
            ("minLength", 1),
            ("minimum", 1),
            ("exclusiveMinimum", 1),
            ("minItems", 1),
        ):
            was, now = old.get(keyword), new.get(keyword)
            if was == now:
                continue
            if now is None:
                narrowed = False
            elif was is None:
                narrowed = True
            else:
                narrowed = (now - was) * tighter > 0
            rule = "request-constraint-narrowed" if narrowed else "request-constraint-widened"
            self.add(rule, f"{at}/{keyword}", f"{keyword} {was!r} became {now!r}")
        if old.get("pattern") != new.get("pattern"):
            rule = "request-constraint-widened" if new.get("pattern") is None else "request-constraint-narrowed"
            self.add(rule, f"{at}/pattern", f"pattern {old.get('pattern')!r} became {new.get('pattern')!r}")

    def _properties(
        self, direction: Direction, old: dict[str, Any], new: dict[str, Any], old_ptr: str, new_ptr: str
    ) -> None:
        old_props, new_props = old.get("properties") or {}, new.get("properties") or {}
        old_req, new_req = set(old.get("required") or []), set(new.get("required") or [])
        if old_props.keys() != new_props.keys():
            self.covered.update({f"{old_ptr}/required", f"{new_ptr}/required"})
        for prop in sorted(old_props.keys() - new_props.keys()):
            rule = f"{direction}-property-removed"
            why = "readers lose it" if direction == "response" else "callers that set it break"
            self.add(rule, f"{old_ptr}/properties/{escape(prop)}", f"property {prop!r} was removed; {why}")
        for prop in sorted(new_props.keys() - old_props.keys()):
            pointer = f"{new_ptr}/properties/{escape(prop)}"
            if direction == "response":
                self.add("response-property-added", pointer, f"property {prop!r} was added")
            elif prop in new_req:
                self.add("request-property-added-required", pointer, f"required property {prop!r} was added")
            else:
                self.add("request-property-added-optional", pointer, f"optional property {prop!r} was added")
        for prop in sorted(old_props.keys() & new_props.keys()):
            pointer = f"{new_ptr}/properties/{escape(prop)}"
            was, now = prop in old_req, prop in new_req
            if was and not now:
                self.add(
                    f"{direction}-property-became-optional", f"{new_ptr}/required", f"property {prop!r} is optional"
                )
            elif now and not was:
                self.add(
                    f"{direction}-property-became-required", f"{new_ptr}/required", f"property {prop!r} is required"
                )
            self.schema(old_props[prop], new_props[prop], f"{old_ptr}/properties/{escape(prop)}", pointer, direction)

    def _variants(
        self, direction: Direction, old: dict[str, Any], new: dict[str, Any], old_ptr: str, new_ptr: str
    ) -> None:
        for keyword in ("oneOf", "anyOf"):
            was, now = old.get(keyword), new.get(keyword)
            if was is None and now is None:
                continue
            if not isinstance(was, list) or not isinstance(now, list):
                self.add(
                    "composition-changed", f"{new_ptr}/{keyword}", f"{keyword} was {'added' if now else 'removed'}"
                )
                continue
            old_keys, new_keys = _variant_keys(was), _variant_keys(now)
            for key, index in old_keys.items():
                if key not in new_keys:
                    self.add(
                        f"{direction}-variant-removed",
                        f"{old_ptr}/{keyword}/{index}",
                        f"{keyword} variant {key} was removed",
                    )
            added = [(key, index) for key, index in new_keys.items() if key not in old_keys]
            for key, index in added:
                pointer = f"{new_ptr}/{keyword}/{index}"
                if direction == "request":
                    self.add("request-variant-added", pointer, f"{keyword} variant {key} was added")
                    continue
                problem = self._redecoded()
                if problem is None:
                    self.add(
                        "response-variant-added",
                        pointer,
                        f"{keyword} variant {key} was added; every known payload still decodes to the same models",
                    )
                else:
                    self.add(
                        "response-variant-added-redecodes", pointer, f"{keyword} variant {key} was added; {problem}"
                    )
            for key in old_keys.keys() & new_keys.keys():
                i, j = old_keys[key], new_keys[key]
                self.schema(was[i], now[j], f"{old_ptr}/{keyword}/{i}", f"{new_ptr}/{keyword}/{j}", direction)

    def _redecoded(self) -> str | None:
        path, method, status = self.operation
        if self.variant_check is None:
            return "the payloads could not be decoded with both clients, so the change counts as breaking"
        return self.variant_check(path, method, status)

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


def _variant_keys(members: list[Any]) -> dict[str, int]:
    """A oneOf's members by identity: the component a `$ref` names, else the position."""
    keys: dict[str, int] = {}
    for index, member in enumerate(members):
        if isinstance(member, dict) and isinstance(member.get("$ref"), str):
            keys[member["$ref"].rsplit("/", 1)[-1]] = index
        elif _is_null_schema(member):
            keys["null"] = index
        else:
            keys[f"#{index}"] = index
    return keys


def _values(values: list[Any]) -> str:
    shown = ", ".join(repr(v) for v in values[:5])
    return shown + (f" and {len(values) - 5} more" if len(values) > 5 else "")


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


def required_bump(changes: list[Change]) -> str | None:
    """The semantic-version part a release with `changes` must raise: major, minor, patch, or None for none."""
    if not changes:
        return None
    if any(c.level == "breaking" for c in changes):
        return "major"
    if any(c.level == "non-breaking" for c in changes):
        return "minor"
    return "patch"
