"""Decoding: every payload the spec allows decodes to the runner variant the spec says, and `to_dict()` gives the
same JSON back (a timestamp may change its spelling, never its instant)."""

from __future__ import annotations

import ast
import copy
import datetime
import gc
import json
import weakref
from typing import Any

import pytest
from currents_api_client import errors
from currents_api_client.models import CypressInstance, InstanceResponse, OtherFrameworkInstance, PlaywrightInstance
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from kit.fixtures import Fixture, load_fixtures
from scripts.spec.schema_validation import component_validator, match_variant
from scripts.spec.sources import GENERATED
from tests.schema_strategies import from_schema
from tests.support import seed_body

DOCUMENT: dict[str, Any] = json.loads((GENERATED / "openapi.json").read_text())
ENVELOPE = component_validator(DOCUMENT, "InstanceResponse")


def same_json(original: Any, decoded: Any, path: str = "$") -> list[str]:
    """Where `decoded` differs from `original`, allowing a timestamp to change its spelling but not its instant."""
    if isinstance(original, dict) and isinstance(decoded, dict):
        if set(original) != set(decoded):
            return [f"{path}: keys {sorted(set(original) ^ set(decoded))}"]
        return [d for key in original for d in same_json(original[key], decoded[key], f"{path}.{key}")]
    if isinstance(original, list) and isinstance(decoded, list):
        if len(original) != len(decoded):
            return [f"{path}: length {len(original)} != {len(decoded)}"]
        return [
            d for i, (a, b) in enumerate(zip(original, decoded, strict=True)) for d in same_json(a, b, f"{path}[{i}]")
        ]
    if isinstance(original, str) and isinstance(decoded, str) and original != decoded:
        try:
            same_instant = datetime.datetime.fromisoformat(original.upper()) == datetime.datetime.fromisoformat(decoded)
        except ValueError:
            same_instant = False
        return [] if same_instant else [f"{path}: {original!r} != {decoded!r}"]
    if original != decoded or type(original) is not type(decoded):
        return [f"{path}: {original!r} != {decoded!r}"]
    return []


def decode_variant(body: dict[str, Any]) -> str:
    return type(InstanceResponse.from_dict(body).data).__name__


@pytest.mark.parametrize("fixture", load_fixtures(), ids=lambda f: f.name)
def test_every_fixture_decodes_to_its_variant_and_back(fixture: Fixture) -> None:
    decoded = InstanceResponse.from_dict(copy.deepcopy(fixture.body))
    assert type(decoded.data).__name__ == fixture.variant
    assert same_json(fixture.body, decoded.to_dict()) == []


@pytest.mark.parametrize(
    ("name", "variant"), [("cypress-instance", CypressInstance), ("playwright-instance", PlaywrightInstance)]
)
def test_the_seed_examples_decode_to_their_variant_and_back(name: str, variant: type) -> None:
    body = seed_body(name)
    decoded = InstanceResponse.from_dict(body)
    assert isinstance(decoded.data, variant)
    assert same_json(body, decoded.to_dict()) == []


def test_timestamps_decode_to_aware_datetimes() -> None:
    decoded = InstanceResponse.from_dict(seed_body("playwright-instance"))
    assert decoded.data.created_at == datetime.datetime(2024, 6, 17, 9, 49, 31, 368000, tzinfo=datetime.UTC)
    assert isinstance(decoded.data, PlaywrightInstance)
    assert decoded.data.claim_list and decoded.data.claim_list[0].t == 1718617771368


@pytest.mark.parametrize("runner", ["jest", "vitest", "postman", "node", "wdio", "cypress", "a-runner-from-2030"])
def test_any_framework_type_but_pw_decodes_as_other_framework_instance(runner: str) -> None:
    body = seed_body("playwright-instance")
    body["data"]["framework"]["type"] = runner
    decoded = InstanceResponse.from_dict(body)
    assert isinstance(decoded.data, OtherFrameworkInstance)
    assert decoded.data.framework.type_ == runner


def test_cypress_instance_with_a_cypress_framework_stays_cypress() -> None:
    body = seed_body("cypress-instance")
    body["data"]["framework"] = {"type": "cypress", "version": "13.6.0", "clientVersion": "1.0.0"}
    assert isinstance(InstanceResponse.from_dict(body).data, CypressInstance)


def test_a_payload_of_no_runner_raises_one_error_saying_why_each_variant_refused_it() -> None:
    body = seed_body("cypress-instance")
    body["data"]["framework"] = {"type": "jest"}
    with pytest.raises(errors.DecodeError) as raised:
        InstanceResponse.from_dict(body)
    message = str(raised.value)
    assert message.startswith("data fits none of CypressInstance, PlaywrightInstance, OtherFrameworkInstance.")
    assert "CypressInstance: type must match const 'cypress', got 'jest'" in message
    assert "PlaywrightInstance: type must match const 'pw', got 'jest'" in message
    assert "OtherFrameworkInstance: OtherFrameworkInstance must not carry 'cypressVersion'" in message
    assert isinstance(raised.value, ValueError)


def test_a_playwright_payload_broken_deep_inside_is_not_taken_for_another_runner() -> None:
    body = seed_body("playwright-instance")
    del body["data"]["results"]["tests"][0]["attempts"][0]["state"]
    with pytest.raises(errors.DecodeError, match="PlaywrightInstance: missing required field 'state'"):
        InstanceResponse.from_dict(body)


def schema_match(body: dict[str, Any]) -> list[str]:
    return match_variant(DOCUMENT, "Instance", body["data"]).matched if not list(ENVELOPE.iter_errors(body)) else []


RESPONSES = from_schema(DOCUMENT, {"$ref": "#/components/schemas/InstanceResponse"})
PROPERTY_SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)


@PROPERTY_SETTINGS
@given(RESPONSES)
def test_payloads_drawn_from_the_schema_decode_to_the_variant_the_schema_matches(body: dict[str, Any]) -> None:
    matched = schema_match(body)
    assume(len(matched) == 1)  # a drawn value is a candidate; the 2020-12 validator has the last word
    decoded = InstanceResponse.from_dict(copy.deepcopy(body))
    assert type(decoded.data).__name__ == matched[0]
    assert same_json(body, decoded.to_dict()) == []


MARKERS = st.sampled_from(["cypressVersion", "framework", "framework.type"])


@PROPERTY_SETTINGS
@given(
    fixture=st.sampled_from(load_fixtures()),
    marker=MARKERS,
    value=st.one_of(st.sampled_from(["pw", "cypress", "jest", "", "PW"]), st.text(max_size=8)),
    remove=st.booleans(),
)
def test_fixtures_with_mutated_markers_decode_exactly_when_the_schema_accepts_them(
    fixture: Fixture, marker: str, value: object, remove: bool
) -> None:
    body = copy.deepcopy(fixture.body)
    data = body["data"]
    if marker == "framework.type":
        data.setdefault("framework", {})
        target, key = (data["framework"], "type") if isinstance(data["framework"], dict) else (data, "framework")
    else:
        target, key = data, marker
    if remove:
        target.pop(key, None)
    else:
        target[key] = value
    matched = schema_match(body)
    if len(matched) == 1:
        assert decode_variant(copy.deepcopy(body)) == matched[0]
    else:
        with pytest.raises(errors.DECODE_ERRORS):
            InstanceResponse.from_dict(body)


def test_decoding_defines_no_function_and_calls_no_cast_per_call() -> None:
    """The README's performance claim: every `from_dict` decodes inline, without a nested function defined on each
    call and without a `typing.cast` call."""
    offenders = []
    for module in sorted((GENERATED / "currents-api-client" / "currents_api_client" / "models").glob("*.py")):
        for node in ast.walk(ast.parse(module.read_text())):
            if isinstance(node, ast.FunctionDef) and node.name == "from_dict":
                for inner in ast.walk(node):
                    if inner is not node and isinstance(inner, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                        offenders.append(f"{module.name}: a function inside from_dict")
                    if isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name) and inner.func.id == "cast":
                        offenders.append(f"{module.name}: cast() in from_dict")
    assert offenders == []


def test_decoding_a_later_variant_leaves_no_reference_cycle_behind() -> None:
    """A Playwright payload is refused by CypressInstance first; that refusal must not keep the decoding frame,
    and the decoded value with it, in a cycle only the garbage collector can free."""

    body = seed_body("playwright-instance")
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        decoded = InstanceResponse.from_dict(body)
        assert isinstance(decoded.data, PlaywrightInstance)
        # A weak reference, not gc.collect()'s count: other threads of the test process (a mock server
        # serving another test) may leave garbage of their own meanwhile.
        alive = weakref.ref(decoded.data)
        del decoded
        assert alive() is None, "the decoded value outlived its last reference: it sits in a reference cycle"
    finally:
        if was_enabled:
            gc.enable()
