"""The reader's types: response models read as `X | None`, query parameters take `None` (for scripts/spec/render.py).

Scope: rewrites openapi-python-client's parsed document (`GeneratorData`) before the templates render it, so
that the templates see the types a reader wants and need no branch of their own for them:

- A **response-only model** (one that responses reach and no request body or parameter does) gets every
  optional property as `X | None = None`: absent and `null` both read `None`. The templates still have to
  give `to_dict()` the payload back as received, so `apply()` tells them, per model, which properties were
  optional: `from_dict` records which of them came as `null` (a bit each, in the private `_nulls`), and
  `to_dict` writes an optional `None` back only when its bit is set. An optional object, array, constant or
  date-time that the spec does not make nullable still refuses `null` (bit 0), as it did when it read
  `Unset`: those are the shapes the client checks; a string, number or boolean takes it, as before. A model a request
  reaches keeps `Unset`: a partial update must tell "leave unchanged" (`UNSET`) from "set to null" (`None`).
- A **webhook delivery's model** (one the request bodies of the spec's top-level `webhooks` name, which the
  generator does not read: `delivered_schemas(document)` finds them) is read the same way, with the models it
  reaches: a receiver reads a delivery as a client reads a response.
- An **optional query parameter** becomes `X | None`, its default kept (`limit: int | None = 50`): `None`
  means "not given", which the endpoint template already drops from the query string. A query string has no
  `null`, so nothing is lost.
- A **date-time query parameter** (a string parameter whose `pattern` accepts both an ISO 8601 date and a
  date-time, such as `date_start` and `date_end`) takes a `datetime.datetime` as well as a string; the
  endpoint sends `value.isoformat()`. A naive datetime goes out without an offset, as it is.

The properties are rewritten in place of upstream's, as upstream would have built a required nullable one
(a `UnionProperty` with a `NoneProperty` variant, default `None`), so every upstream and custom property
template renders them unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

import attrs
from openapi_python_client.parser import GeneratorData
from openapi_python_client.parser.properties import AnyProperty, ModelProperty
from openapi_python_client.parser.properties.const import ConstProperty
from openapi_python_client.parser.properties.date import DateProperty
from openapi_python_client.parser.properties.datetime import DateTimeProperty
from openapi_python_client.parser.properties.list_property import ListProperty
from openapi_python_client.parser.properties.none import NoneProperty
from openapi_python_client.parser.properties.protocol import Value
from openapi_python_client.parser.properties.union import UnionProperty
from openapi_python_client.strings import PythonCode, PythonIdentifier

from kit import openapi as oas

NONE_DEFAULT = Value(python_code=PythonCode("None"), raw_value=None)


def _models_in(prop: Any, models: dict[str, ModelProperty], seen: set[str]) -> Iterator[str]:
    """The class names of every model `prop` reaches, itself included, each once (`seen` is shared)."""
    stack = [prop]
    while stack:
        current = stack.pop()
        if isinstance(current, ModelProperty):
            name = str(current.class_info.name)
            if name in seen:
                continue
            seen.add(name)
            yield name
            model = models.get(name, current)  # a nested copy may be unprocessed: take the processed one
            stack.extend((model.required_properties or []) + (model.optional_properties or []))
            if isinstance(model.additional_properties, ModelProperty | ListProperty | UnionProperty):
                stack.append(model.additional_properties)
        elif isinstance(current, ListProperty):
            stack.append(current.inner_property)
        elif isinstance(current, UnionProperty):
            stack.extend(current.inner_properties)


def _reached(props: Iterable[Any], models: dict[str, ModelProperty]) -> set[str]:
    seen: set[str] = set()
    for prop in props:
        seen.update(_models_in(prop, models, seen))
    return seen


def _endpoints(openapi: GeneratorData) -> list[Any]:
    return [e for collection in openapi.endpoint_collections_by_tag.values() for e in collection.endpoints]


def _request_models(openapi: GeneratorData, models: dict[str, ModelProperty]) -> set[str]:
    """Class names of the models a request body or a parameter reaches."""
    return _reached(
        (
            p
            for e in _endpoints(openapi)
            for p in [b.prop for b in e.bodies]
            + e.query_parameters
            + e.path_parameters
            + e.header_parameters
            + e.cookie_parameters
        ),
        models,
    )


def response_only_models(openapi: GeneratorData) -> set[str]:
    """Class names of the models that responses reach and no request body or parameter does."""
    models: dict[str, ModelProperty] = {str(model.class_info.name): model for model in openapi.models}
    responses = _reached((r.prop for e in _endpoints(openapi) for r in e.responses), models)
    return responses - _request_models(openapi, models)


def delivered_schemas(document: dict[str, Any]) -> frozenset[str]:
    """Names of the component schemas the request bodies of the document's top-level `webhooks` refer to."""
    names = set()
    for item in (document.get("webhooks") or {}).values():
        for operation in item.values():
            content = (operation.get("requestBody") or {}).get("content") or {} if isinstance(operation, dict) else {}
            for media in content.values():
                ref = str((media.get("schema") or {}).get("$ref", ""))
                if ref.startswith("#/components/schemas/"):
                    names.add(ref.rsplit("/", 1)[-1])
    return frozenset(names)


def reader_models(openapi: GeneratorData, delivered: set[str]) -> set[str]:
    """Class names of the response-only models and of the models the `delivered` schemas reach, less any model a
    request body or parameter reaches."""
    models: dict[str, ModelProperty] = {str(model.class_info.name): model for model in openapi.models}
    # a component's model is named after its reference: `/components/schemas/<Name>`
    by_schema = {m.name.get_untrusted_value().removeprefix("/components/schemas/"): m for m in openapi.models}
    missing = sorted(delivered - set(by_schema))
    if missing:
        raise LookupError(f"no model for the delivered schema(s) {', '.join(missing)}")
    deliveries = _reached((by_schema[name] for name in sorted(delivered)), models)
    return response_only_models(openapi) | (deliveries - _request_models(openapi, models))


def nullable(prop: Any) -> Any:
    """`prop` as upstream builds a required property of type `X | None` with the default `default` or None."""
    default = prop.default if prop.default is not None else NONE_DEFAULT
    if isinstance(prop, AnyProperty | NoneProperty):
        return attrs.evolve(prop, required=True, default=default)
    if isinstance(prop, UnionProperty):
        inner = list(prop.inner_properties)
    else:
        inner = [attrs.evolve(prop, required=True, default=None, python_name=_inner_name(prop, 0))]
    if not any(isinstance(p, NoneProperty) for p in inner):
        inner.append(
            NoneProperty(
                name=prop.name,
                required=True,
                default=None,
                python_name=_inner_name(prop, len(inner)),
                description=None,
                example=None,
            )
        )
    return UnionProperty(
        name=prop.name,
        required=True,
        default=default,
        python_name=prop.python_name,
        description=prop.description,
        example=prop.example,
        inner_properties=inner,
    )


def _takes_null(prop: Any) -> bool:
    """Whether a payload may give `prop` as `null`: the spec says so, or the client never checked its type."""
    if isinstance(prop, UnionProperty):
        return any(isinstance(p, NoneProperty) for p in prop.inner_properties)
    return not isinstance(prop, ModelProperty | ListProperty | ConstProperty | DateTimeProperty | DateProperty)


def _inner_name(prop: Any, index: int) -> PythonIdentifier:
    return PythonIdentifier(f"{prop.python_name}_type_{index}", prefix="field_", skip_snake_case=True)


# What a date-time parameter's pattern must accept (a date, a date-time with an offset) and refuse.
DATE_SAMPLES = ("2026-03-01", "2026-03-01T00:00:00.123456+00:00")
NOT_DATES = ("42", "main", "2026-13-01")


def datetime_parameters(document: dict[str, Any], prefix: str) -> set[tuple[str, str]]:
    """(python name of the operationId, parameter name) of every string query parameter whose `pattern` accepts
    every DATE_SAMPLES and none of NOT_DATES."""
    found = set()
    for _, _, operation in oas.operations(document):
        if "operationId" not in operation:
            continue
        for parameter in operation.get("parameters", []):
            parameter = _resolve(document, parameter)
            schema = _resolve(document, parameter.get("schema", {}))
            pattern = schema.get("pattern")
            if parameter.get("in") == "query" and schema.get("type") == "string" and isinstance(pattern, str):
                dates = all(re.search(pattern, sample) for sample in DATE_SAMPLES)
                if dates and not any(re.search(pattern, sample) for sample in NOT_DATES):
                    found.add((str(PythonIdentifier(operation["operationId"], prefix)), parameter["name"]))
    return found


def _resolve(document: dict[str, Any], node: Any) -> Any:
    """`node`, or what its chain of internal `$ref`s ends at ({} where one points nowhere)."""
    found = oas.follow(document, node)[0]
    return {} if found is None else found


def taking_datetime(prop: Any) -> UnionProperty:
    """`prop`, a string, as a union of `datetime.datetime` and that string, required as `prop` is."""
    as_datetime = DateTimeProperty(
        name=prop.name,
        required=True,
        default=None,
        python_name=_inner_name(prop, 0),
        description=None,
        example=None,
    )
    as_string = attrs.evolve(prop, required=True, default=None, python_name=_inner_name(prop, 1))
    return UnionProperty(
        name=prop.name,
        required=prop.required,
        default=prop.default,
        python_name=prop.python_name,
        description=prop.description,
        example=prop.example,
        inner_properties=[as_datetime, as_string],
    )


def apply(
    openapi: GeneratorData, datetimes: set[tuple[str, str]], delivered: frozenset[str] = frozenset()
) -> dict[str, dict[str, int]]:
    """Rewrite `openapi` as the module docstring says; return, per response-only model, its optional JSON
    python names and the bit each has in the model's `_nulls`, 0 for one that refuses `null` (the template
    global `reader_models`)."""
    readers: dict[str, dict[str, int]] = {}
    for name in sorted(reader_models(openapi, set(delivered))):
        model = next(m for m in openapi.models if m.class_info.name == name)
        optional = model.optional_properties or []
        readers[name] = {
            str(prop.python_name): (1 << bit if _takes_null(prop) else 0) for bit, prop in enumerate(optional)
        }
        model.optional_properties = [nullable(prop) for prop in optional]
    for collection in openapi.endpoint_collections_by_tag.values():
        for endpoint in collection.endpoints:
            parameters = []
            for prop in endpoint.query_parameters:
                if (str(endpoint.name), prop.name.get_untrusted_value()) in datetimes:
                    prop = taking_datetime(prop)
                    endpoint.relative_imports.add("import datetime")
                parameters.append(prop if prop.required else nullable(prop))
            endpoint.query_parameters = parameters
    return readers
