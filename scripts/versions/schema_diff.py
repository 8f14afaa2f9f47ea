"""Classify the changes between two schemas, in requests or in responses: the schema half of the spec comparison.

Scope: `SchemaComparer` holds the two documents and the changes found so far, follows `$ref`s in each, and
compares two schemas through them: nullability (a null type, enum member or `oneOf` branch), types, formats
(`TYPED_FORMATS` change the Python type), enums, constants, a request's constraints, properties and which are
required, `items` and `additionalProperties`, `oneOf`/`anyOf` variants (a response variant added is checked by
decoding, `VariantCheck`), `not` and `allOf`. Each schema pair is compared once. The walk over operations that
reaches the schemas is `scripts/versions/spec_diff.py`.
"""

from __future__ import annotations

from typing import Any

from kit import openapi as oas
from kit.bundle import escape_pointer_token as escape
from scripts.versions.rules import RULES, Change, Direction, VariantCheck

# Formats the generated client decodes into another Python type than str (openapi-python-client 0.29).
TYPED_FORMATS = frozenset({"date-time", "date", "uuid", "binary"})


def _schema_types(schema: dict[str, Any]) -> set[str]:
    declared = schema.get("type")
    if declared is None:
        return set()
    return {declared} if isinstance(declared, str) else set(declared)


def _is_null_schema(schema: Any) -> bool:
    return isinstance(schema, dict) and (schema.get("type") == "null" or schema.get("const", ...) is None)


class SchemaComparer:
    """The state of one comparison (the documents, the changes found) and the comparison of schemas."""

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
