"""Hypothesis strategies that draw JSON values from the schemas of the bundled OpenAPI 3.1 document.

Scope: the JSON Schema 2020-12 keywords the spec uses: internal `$ref`, `type` (one or a list), `const`,
`enum`, `properties`, `required`, `additionalProperties` (a schema, or open with unknown extra fields),
`items`, `oneOf`/`anyOf` (one branch is drawn), and the `date-time` (Z, offsets, lowercase `t`/`z`), `uri` and
`int64` formats.

Limits: `not`, string patterns and numeric bounds are not generated towards; timestamps are at most microsecond
precise and never leap seconds, which Python's datetime cannot hold. A drawn value is a candidate:
callers keep the ones a 2020-12 validator accepts (hypothesis-jsonschema was not used: it knows no
2020-12, and its canonicalisation of this spec's unions takes seconds per example).
"""

from __future__ import annotations

import datetime
from typing import Any

from hypothesis import strategies as st

MAX_ITEMS = 3
JSON_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-(2**31), 2**31), st.text(max_size=12))
UNKNOWN_NAMES = st.text("abcdefghijklmnopqrstuvwxyz_", min_size=3, max_size=12).map(lambda name: "x" + name)
UTC_TIMES = st.datetimes(
    min_value=datetime.datetime(2020, 1, 1), max_value=datetime.datetime(2030, 12, 31), timezones=st.just(datetime.UTC)
)
OFFSETS = st.sampled_from([datetime.UTC, datetime.timezone(datetime.timedelta(hours=5, minutes=30))])
TIMESTAMPS = st.one_of(
    UTC_TIMES.map(lambda t: t.isoformat(timespec="milliseconds").replace("+00:00", "Z")),
    st.builds(lambda t, tz: t.astimezone(tz).isoformat(), UTC_TIMES, OFFSETS),
    UTC_TIMES.map(lambda t: t.isoformat(timespec="seconds").replace("+00:00", "z").replace("T", "t")),
)
URIS = st.builds(
    "https://fs.currents.dev/{}/{}.png?Expires={}&Signature={}".format,
    st.text("0123456789abcdef", min_size=8, max_size=24),
    st.text("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=4, max_size=16),
    st.integers(1_700_000_000, 1_900_000_000),
    st.text("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-~_", min_size=8, max_size=40),
)


def from_schema(document: dict[str, Any], schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    """A strategy of candidate values for `schema`, whose `$ref`s point into `document`."""
    return _Drawer(document).strategy(schema)


class _Drawer:
    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.cache: dict[str, st.SearchStrategy[Any]] = {}

    def resolve(self, ref: str) -> dict[str, Any]:
        node: Any = self.document
        for token in ref.removeprefix("#/").split("/"):
            node = node[token.replace("~1", "/").replace("~0", "~")]
        resolved: dict[str, Any] = node
        return resolved

    def strategy(self, schema: dict[str, Any]) -> st.SearchStrategy[Any]:
        if "$ref" in schema:
            ref = schema["$ref"]
            if ref not in self.cache:
                self.cache[ref] = st.deferred(lambda: self.strategy(self.resolve(ref)))
            return self.cache[ref]
        if "const" in schema:
            return st.just(schema["const"])
        if "enum" in schema:
            return st.sampled_from(schema["enum"])
        branches = schema.get("oneOf") or schema.get("anyOf")
        if branches:
            return st.one_of([self.strategy(branch) for branch in branches])
        types = schema.get("type", "object" if "properties" in schema else None)
        if types is None:
            return JSON_SCALARS
        if isinstance(types, list):
            return st.one_of([self.of_type(name, schema) for name in types])
        return self.of_type(types, schema)

    def of_type(self, name: str, schema: dict[str, Any]) -> st.SearchStrategy[Any]:
        if name == "null":
            return st.none()
        if name == "boolean":
            return st.booleans()
        if name == "integer":
            bound = 2**63 - 1 if schema.get("format") == "int64" else 2**31 - 1
            return st.integers(0, bound)
        if name == "number":
            return st.floats(allow_nan=False, allow_infinity=False)
        if name == "string":
            formats = {"date-time": TIMESTAMPS, "uri": URIS}
            return formats.get(schema.get("format", ""), st.text(max_size=20))
        if name == "array":
            items = self.strategy(schema.get("items", {}))
            return st.lists(items, max_size=MAX_ITEMS)
        return self.object(schema)

    def object(self, schema: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
        properties: dict[str, Any] = schema.get("properties", {})
        required = set(schema.get("required", []))
        extra = schema.get("additionalProperties", True)
        fixed = {name: self.strategy(properties[name]) for name in properties if name in required}
        optional = {name: self.strategy(properties[name]) for name in properties if name not in required}
        if isinstance(extra, dict):
            values = self.strategy(extra)
            unknown: st.SearchStrategy[dict[str, Any]] = st.dictionaries(
                st.text(min_size=1, max_size=16), values, max_size=MAX_ITEMS
            )
        elif extra is False:
            unknown = st.just({})
        else:
            unknown = st.dictionaries(UNKNOWN_NAMES.filter(lambda n: n not in properties), JSON_SCALARS, max_size=2)
        return st.builds(
            lambda known, maybe, more: {**more, **known, **maybe},
            st.fixed_dictionaries(fixed),
            st.fixed_dictionaries({}, optional=optional),
            unknown,
        )
