"""Tests for kit/overlays.py: strict OpenAPI Overlay 1.0 semantics.

Over 400 lines on purpose: one module's 38 cases, each writing its small document and overlay inline, so that
each case reads whole where it stands.
"""

from __future__ import annotations

import copy
import pathlib
from typing import Any

import pytest
import yaml

from kit.overlays import (
    OverlayError,
    apply_overlay,
    apply_overlay_files,
    load_overlay,
)


def overlay(*actions: dict[str, Any]) -> dict[str, Any]:
    return {
        "overlay": "1.0.0",
        "info": {"title": "test overlay", "version": "1.0.0"},
        "actions": list(actions),
    }


def make_doc() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "Pets", "version": "1.0", "contact": {"name": "a"}},
        "tags": [{"name": "pets"}, {"name": "internal"}, {"name": "admin"}],
        "paths": {
            "/pets": {
                "get": {
                    "summary": "List pets",
                    "x-internal": False,
                    "parameters": [
                        {"name": "limit", "in": "query"},
                        {"name": "dummy", "in": "query"},
                        {"name": "offset", "in": "query"},
                        {"name": "dummy", "in": "header"},
                    ],
                    "responses": {"200": {"description": "OK"}},
                },
            },
            "/pets/{id}": {
                "get": {
                    "parameters": [{"name": "id", "in": "path"}],
                    "responses": {"200": {"description": "OK"}},
                },
                "delete": {"deprecated": True, "responses": {}},
            },
        },
        "components": {
            "schemas": {
                "Pet": {"type": "object", "properties": {"id": {"type": "string"}}},
                "Name": {"type": "string"},
                "Owner": {"type": "object", "properties": {}},
            },
        },
    }


def apply(*actions: dict[str, Any]) -> Any:
    return apply_overlay(make_doc(), overlay(*actions), source="test.yaml")


def error_for(doc_overlay: Any, source: str = "o.yaml") -> str:
    with pytest.raises(OverlayError) as excinfo:
        apply_overlay(make_doc(), doc_overlay, source=source)
    message = str(excinfo.value)
    assert "\n" not in message
    return message


# --- update -----------------------------------------------------------------


def test_update_merges_nested_objects_recursively() -> None:
    result = apply({"target": "$", "update": {"info": {"contact": {"email": "e@x"}, "x-a": 1}}})
    assert result["info"] == {
        "title": "Pets",
        "version": "1.0",
        "contact": {"name": "a", "email": "e@x"},
        "x-a": 1,
    }
    assert result["paths"] == make_doc()["paths"]


def test_update_replaces_nested_primitives_and_appends_new_keys_in_order() -> None:
    result = apply(
        {
            "target": "$.paths['/pets'].get",
            "update": {"summary": "All pets", "x-internal": None, "operationId": "ls"},
        }
    )
    get = result["paths"]["/pets"]["get"]
    assert get["summary"] == "All pets"
    assert get["x-internal"] is None
    assert list(get) == ["summary", "x-internal", "parameters", "responses", "operationId"]


def test_update_on_array_target_appends_the_value_as_one_entry() -> None:
    result = apply(
        {"target": "$.tags", "update": {"name": "new"}},
        {"target": "$.tags", "update": ["a", "b"]},
    )
    assert result["tags"][3:] == [{"name": "new"}, ["a", "b"]]


def test_update_concatenates_an_array_nested_in_both_sides() -> None:
    result = apply(
        {
            "target": "$.paths['/pets/{id}'].get",
            "update": {"parameters": [{"name": "fields", "in": "query"}]},
        }
    )
    assert result["paths"]["/pets/{id}"]["get"]["parameters"] == [
        {"name": "id", "in": "path"},
        {"name": "fields", "in": "query"},
    ]


@pytest.mark.parametrize(
    ("update", "message"),
    [
        ({"info": "text"}, "cannot merge a primitive value into an object at $['info']"),
        ({"tags": {"a": 1}}, "cannot merge an object into an array at $['tags']"),
        ({"openapi": ["3"]}, "cannot merge an array into a primitive value at $['openapi']"),
    ],
)
def test_update_with_incompatible_nested_types_is_an_error(update: dict[str, Any], message: str) -> None:
    assert error_for(overlay({"target": "$", "update": update})) == (f'o.yaml: actions[0] (target "$"): {message}')


def test_update_of_an_object_target_must_be_an_object() -> None:
    message = error_for(overlay({"target": "$.info", "update": "text"}))
    assert "update must be an object to merge into the object at $['info']" in message


def test_update_applies_an_independent_copy_to_every_selected_node() -> None:
    result = apply({"target": "$.paths.*.get", "update": {"x-meta": {"safe": True}}})
    first = result["paths"]["/pets"]["get"]["x-meta"]
    second = result["paths"]["/pets/{id}"]["get"]["x-meta"]
    assert first == second == {"safe": True}
    first["safe"] = False
    assert second == {"safe": True}


def test_update_values_are_not_shared_with_the_overlay() -> None:
    ov = overlay({"target": "$.info", "update": {"x-list": [1]}})
    result = apply_overlay(make_doc(), ov)
    result["info"]["x-list"].append(2)
    assert ov["actions"][0]["update"] == {"x-list": [1]}


# --- remove -----------------------------------------------------------------


def test_remove_deletes_an_object_key() -> None:
    result = apply({"target": "$.components.schemas.Name", "remove": True})
    assert list(result["components"]["schemas"]) == ["Pet", "Owner"]


def test_remove_deletes_several_array_items_without_index_shifting() -> None:
    result = apply(
        {"target": "$.paths.*.get.parameters[?@.name == 'dummy']", "remove": True},
        {"target": "$.tags[0,2]", "remove": True},
    )
    assert result["paths"]["/pets"]["get"]["parameters"] == [
        {"name": "limit", "in": "query"},
        {"name": "offset", "in": "query"},
    ]
    assert result["tags"] == [{"name": "internal"}]


def test_remove_handles_duplicate_and_nested_selections() -> None:
    doc = {"tree": {"a": {"b": {}}, "c": [{}, [{}]]}, "keep": [{"n": 1}]}
    ov = overlay(
        {"target": "$.tree..*", "remove": True},
        {"target": "$.keep[0,0]", "remove": True},
    )
    assert apply_overlay(doc, ov) == {"tree": {}, "keep": []}


def test_remove_true_takes_precedence_over_update() -> None:
    result = apply({"target": "$.info.contact", "remove": True, "update": {"x": 1}})
    assert "contact" not in result["info"]


def test_remove_false_is_not_a_removal_and_update_still_applies() -> None:
    result = apply({"target": "$.info.contact", "remove": False, "update": {"x": 1}})
    assert result["info"]["contact"] == {"name": "a", "x": 1}


def test_remove_false_without_update_is_rejected_as_a_no_op() -> None:
    message = error_for(overlay({"target": "$.info", "remove": False}))
    assert message == "o.yaml: actions[0]: does nothing: needs `update` or `remove: true`"


def test_removing_the_document_root_is_an_error() -> None:
    message = error_for(overlay({"target": "$", "remove": True}))
    assert message == 'o.yaml: actions[0] (target "$"): cannot remove the document root'


# --- ordering, targets ------------------------------------------------------


def test_later_action_sees_the_result_of_an_earlier_action() -> None:
    result = apply(
        {"target": "$.components.schemas.Pet", "remove": True},
        {"target": "$.components.schemas", "update": {"Pet": {"type": "string"}}},
        {"target": "$.components.schemas.Pet", "update": {"format": "uuid"}},
    )
    assert result["components"]["schemas"]["Pet"] == {"type": "string", "format": "uuid"}
    assert list(result["components"]["schemas"]) == ["Name", "Owner", "Pet"]


def test_action_selecting_nothing_names_file_index_and_target() -> None:
    ov = overlay(
        {"target": "$.info", "update": {"x-a": 1}},
        {"target": "$.components.schemas.Foo", "update": {"x-a": 1}},
    )
    message = error_for(ov, source="overlays/client.overlay.yaml")
    assert message == ('overlays/client.overlay.yaml: actions[1] (target "$.components.schemas.Foo"): selects nothing')


def test_action_that_removed_a_node_makes_a_later_action_on_it_select_nothing() -> None:
    ov = overlay(
        {"target": "$.info.contact", "remove": True},
        {"target": "$.info.contact", "update": {"x": 1}},
    )
    assert error_for(ov).endswith('actions[1] (target "$.info.contact"): selects nothing')


@pytest.mark.parametrize("remove", [True, False])
def test_target_selecting_a_primitive_is_an_error(remove: bool) -> None:
    action: dict[str, Any] = {"target": "$.info.title", "remove": remove}
    if not remove:
        action["update"] = {}
    message = error_for(overlay(action))
    assert "selects a primitive value at $['info']['title']" in message


def test_filter_expression_selects_matching_schemas() -> None:
    result = apply(
        {
            "target": "$.components.schemas[?@.type == 'object']",
            "update": {"additionalProperties": False},
        }
    )
    schemas = result["components"]["schemas"]
    assert schemas["Pet"]["additionalProperties"] is False
    assert schemas["Owner"]["additionalProperties"] is False
    assert "additionalProperties" not in schemas["Name"]


def test_x_names_are_selected_with_bracket_notation() -> None:
    doc = {"paths": {"/a": {"x-foo": {"keep": 1}}}}
    ov = overlay({"target": "$.paths['/a']['x-foo']", "update": {"added": 2}})
    assert apply_overlay(doc, ov) == {"paths": {"/a": {"x-foo": {"keep": 1, "added": 2}}}}


def test_x_names_in_dot_notation_are_invalid_rfc9535() -> None:
    message = error_for(overlay({"target": "$.paths['/pets'].x-foo", "remove": True}))
    assert message.startswith('o.yaml: actions[0].target: invalid JSONPath "$.paths')


def test_descendant_query_reaches_nested_nodes() -> None:
    result = apply(
        {"target": "$..[?@.deprecated == true]", "update": {"x-sunset": "2030"}},
        {"target": "$..parameters", "update": {"name": "trace", "in": "header"}},
    )
    assert result["paths"]["/pets/{id}"]["delete"]["x-sunset"] == "2030"
    for item in result["paths"].values():
        assert item["get"]["parameters"][-1] == {"name": "trace", "in": "header"}


def test_spec_traits_example_written_in_rfc9535_syntax() -> None:
    doc = {
        "paths": {
            "/items": {"get": {"x-oai-traits": ["paged"], "parameters": [{"name": "id"}]}},
            "/other": {"get": {}},
        }
    }
    target = "$.paths[?@.get['x-oai-traits'][?@ == 'paged']].get"
    ov = overlay({"target": target, "update": {"parameters": [{"name": "top"}]}})
    result = apply_overlay(doc, ov)
    assert result["paths"]["/items"]["get"]["parameters"] == [{"name": "id"}, {"name": "top"}]
    assert result["paths"]["/other"] == {"get": {}}


# --- document immutability --------------------------------------------------


def test_input_document_is_not_mutated() -> None:
    doc = make_doc()
    before = copy.deepcopy(doc)
    result = apply_overlay(
        doc,
        overlay(
            {"target": "$.paths.*.get.parameters[?@.name == 'dummy']", "remove": True},
            {"target": "$.info", "update": {"contact": {"email": "e"}}},
            {"target": "$.tags", "update": {"name": "t"}},
        ),
    )
    assert doc == before
    assert result != before


def test_yaml_aliases_in_the_document_are_updated_independently() -> None:
    doc = yaml.safe_load("a: &shared {k: 1}\nb: *shared\n")
    result = apply_overlay(doc, overlay({"target": "$.a", "update": {"k": 2}}))
    assert result == {"a": {"k": 2}, "b": {"k": 1}}


# --- malformed overlays -----------------------------------------------------


def with_actions(*actions: Any) -> dict[str, Any]:
    return {**overlay(), "actions": list(actions)}


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (["overlay"], "o.yaml: overlay document must be a mapping, got an array"),
        (None, "o.yaml: overlay document must be a mapping, got nothing"),
        ({"info": {}, "actions": []}, "o.yaml: overlay: must be a 1.0.x version string"),
        ({**overlay(), "overlay": 1.0}, "o.yaml: overlay: must be a 1.0.x version string"),
        ({**overlay(), "overlay": "2.0.0"}, "got '2.0.0'"),
        ({**overlay(), "overlay": "1.1.0"}, "got '1.1.0'"),
        ({"overlay": "1.0.0", "actions": []}, "o.yaml: info: must be a mapping"),
        ({**overlay(), "info": {"version": "1"}}, "o.yaml: info.title: must be a string"),
        ({**overlay(), "info": {"title": "t", "version": 1}}, "o.yaml: info.version: must"),
        (
            {**overlay(), "info": {"title": "t", "version": "1", "description": "d"}},
            "o.yaml: info.description: unknown field",
        ),
        ({**overlay(), "extends": 3}, "o.yaml: extends: is not supported"),
        ({**overlay(), "extends": "./openapi.yaml"}, "o.yaml: extends: is not supported"),
        (
            {"overlay": "1.0.0", "info": {"title": "t", "version": "1"}},
            "o.yaml: actions: must be a non-empty list, got nothing",
        ),
        (overlay(), "o.yaml: actions: must be a non-empty list, got an array"),
        ({**overlay(), "actions": {"target": "$"}}, "o.yaml: actions: must be a non-empty"),
        ({**overlay(), "action": []}, "o.yaml: action: unknown field"),
        (with_actions("remove everything"), "o.yaml: actions[0]: must be a mapping"),
        (with_actions({"remove": True}), "o.yaml: actions[0].target: must be a JSONPath string"),
        (
            with_actions({"target": "$.info", "remove": True}, {"target": 5, "remove": True}),
            "o.yaml: actions[1].target: must be a JSONPath string, got 5",
        ),
        (with_actions({"target": "$.info"}), "o.yaml: actions[0]: does nothing"),
        (
            with_actions({"target": "$.info", "remove": "true"}),
            "o.yaml: actions[0].remove: must be true or false, got 'true'",
        ),
        (
            with_actions({"target": "$.info", "update": {}, "description": 1}),
            "o.yaml: actions[0].description: must be a string",
        ),
        (with_actions({"target": "$.info", "copy": "$.tags"}), "o.yaml: actions[0].copy: unknown"),
        (
            with_actions({"target": "$.paths", "update": {"/a": {"responses": {200: {}}}}}),
            "o.yaml: actions[0].update./a.responses: key 200 must be a string",
        ),
    ],
)
def test_malformed_overlay_names_the_file_and_location(bad: Any, message: str) -> None:
    assert message in error_for(bad)


@pytest.mark.parametrize("target", ["$.paths[", "paths", "$[?@.a = 1]", "$..", ""])
def test_invalid_jsonpath_names_the_action_target(target: str) -> None:
    ov = with_actions({"target": "$.info", "remove": True}, {"target": target, "remove": True})
    assert error_for(ov).startswith(f'o.yaml: actions[1].target: invalid JSONPath "{target}": ')


def test_patch_versions_and_extensions_are_accepted() -> None:
    ov = {
        **overlay({"target": "$.info", "update": {"x-a": 1}, "x-note": "n"}),
        "overlay": "1.0.7",
        "x-owner": "team",
        "info": {"title": "t", "version": "2", "x-id": 1},
    }
    assert apply_overlay(make_doc(), ov)["info"]["x-a"] == 1


# --- files ------------------------------------------------------------------


OVERLAY_YAML = """\
overlay: 1.0.0
info:
  title: Client tweaks
  version: 0.1.0
actions:
  - target: $.paths['/pets'].get
    description: Rename the operation
    update:
      operationId: listPets
  - target: $.paths.*.get.parameters[?@.name == 'dummy']
    remove: true
"""


def test_load_overlay_reads_a_yaml_file(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "client.overlay.yaml"
    path.write_text(OVERLAY_YAML, encoding="utf-8")
    loaded = load_overlay(path)
    assert loaded["info"]["title"] == "Client tweaks"
    result = apply_overlay(make_doc(), loaded, source=str(path))
    assert result["paths"]["/pets"]["get"]["operationId"] == "listPets"


def test_apply_overlay_files_applies_files_in_order(tmp_path: pathlib.Path) -> None:
    first = tmp_path / "1.yaml"
    second = tmp_path / "2.yaml"
    first.write_text(OVERLAY_YAML, encoding="utf-8")
    second.write_text(
        "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n"
        "  - target: $.paths['/pets'].get\n    update: {operationId: listAllPets}\n",
        encoding="utf-8",
    )
    doc = make_doc()
    result = apply_overlay_files(doc, [first, second])
    assert result["paths"]["/pets"]["get"]["operationId"] == "listAllPets"
    assert len(result["paths"]["/pets"]["get"]["parameters"]) == 2
    assert doc == make_doc()


def test_apply_overlay_files_without_files_returns_a_copy() -> None:
    doc = make_doc()
    result = apply_overlay_files(doc, [])
    assert result == doc
    assert result is not doc


def test_zero_match_in_a_file_names_that_file(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "stale.yaml"
    path.write_text(
        "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n"
        "  - target: $.info\n    update: {x-a: 1}\n"
        "  - target: $.paths['/gone']\n    remove: true\n",
        encoding="utf-8",
    )
    with pytest.raises(OverlayError) as excinfo:
        apply_overlay_files(make_doc(), [path])
    assert str(excinfo.value) == f"{path}: actions[1] (target \"$.paths['/gone']\"): selects nothing"


def test_load_overlay_reports_a_missing_file_on_one_line(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "missing.yaml"
    with pytest.raises(OverlayError) as excinfo:
        load_overlay(path)
    assert str(excinfo.value) == f"{path}: no such file"


def test_load_overlay_reports_invalid_yaml_with_its_line(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("overlay: 1.0.0\ninfo:\n  title: [unclosed\nactions: []\n", encoding="utf-8")
    with pytest.raises(OverlayError) as excinfo:
        load_overlay(path)
    message = str(excinfo.value)
    assert message.startswith(f"{path}:4:") and ": invalid YAML: " in message
    assert "\n" not in message


def test_load_overlay_validates_structure_and_names_the_file(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n  - target: $.info\n")
    with pytest.raises(OverlayError) as excinfo:
        load_overlay(path)
    assert str(excinfo.value) == (f"{path}: actions[0]: does nothing: needs `update` or `remove: true`")


BILLION_LAUGHS = "overlay: 1.0.0\ninfo: {title: t, version: '1'}\n" + "".join(
    f"l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 9)}]\n" for n in range(1, 10)
).replace("&l1 [" + ", ".join(["*l0"] * 9) + "]", "&l1 [lol, lol, lol, lol, lol, lol, lol, lol, lol]")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (BILLION_LAUGHS + "actions: [*l9]\n", "aliases expand to more than 1,000,000 nodes"),
        ("overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions: &a [*a]\n", "an alias refers to the node"),
        ("overlay: 1.0.0\n" + "x-deep: " + "[" * 900 + "]" * 900 + "\n", "nested deeper than 128 levels"),
        ("overlay: 1.0.0\ninfo: {title: t, version: '1'}\noverlay: 1.0.1\n", "3:1: invalid YAML: duplicate key"),
        ("overlay: 1.0.0\ninfo: {title: t, version: '1', title: u}\n", "duplicate key 'title'"),
    ],
    ids=["billion-laughs", "self-referencing-alias", "900-deep", "duplicate-top-level-key", "duplicate-nested-key"],
)
def test_hostile_yaml_is_refused_in_one_line(tmp_path: pathlib.Path, text: str, message: str) -> None:
    path = tmp_path / "hostile.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(OverlayError) as excinfo:
        load_overlay(path)
    assert str(excinfo.value).startswith(f"{path}:") and message in str(excinfo.value)
    assert "\n" not in str(excinfo.value)


def test_anchors_aliases_and_merge_keys_within_limits_still_load(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "merge.yaml"
    path.write_text(
        "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n"
        "  - target: $.info\n    update: &u {x-a: 1, x-b: 2}\n"
        "  - target: $.info\n    update: {<<: *u, x-b: 3}\n",
        encoding="utf-8",
    )
    result = apply_overlay(make_doc(), load_overlay(path))
    assert (result["info"]["x-a"], result["info"]["x-b"]) == (1, 3)
