"""kit/openapi.py: JSON pointers, `$ref` chains and the operations of a document, the one way the kit reads them."""

from __future__ import annotations

from typing import Any

from kit import openapi as oas

DOCUMENT: dict[str, Any] = {
    "paths": {
        "/a/{id}": {
            "parameters": [{"$ref": "#/components/parameters/Id"}],
            "delete": {"operationId": "deleteA"},
            "get": {"operationId": "getA"},
            "x-note": {"operationId": "not an operation"},
        },
        "/b": {"post": {"operationId": "makeB"}},
    },
    "components": {
        "parameters": {"Id": {"$ref": "#/components/parameters/Alias"}, "Alias": {"name": "id", "in": "path"}},
        "schemas": {"a/b~c": {"type": "string"}, "Loop": {"$ref": "#/components/schemas/Loop"}},
    },
}


def test_pointer_tokens_are_unescaped_and_may_index_lists() -> None:
    assert oas.pointer_tokens("#/components/schemas/a~1b~0c") == ["components", "schemas", "a/b~c"]
    assert oas.resolve_pointer(DOCUMENT, "/components/schemas/a~1b~0c") == {"type": "string"}
    assert oas.resolve_pointer(DOCUMENT, "/paths/~1a~1{id}/parameters/0") == {"$ref": "#/components/parameters/Id"}
    assert oas.find(DOCUMENT, "/paths/~1nowhere") is None


def test_follow_ends_a_chain_of_refs_and_stops_at_a_cycle_or_a_missing_target() -> None:
    start = DOCUMENT["paths"]["/a/{id}"]["parameters"][0]
    assert oas.follow(DOCUMENT, start) == ({"name": "id", "in": "path"}, "/components/parameters/Alias")
    assert oas.follow(DOCUMENT, {"$ref": "#/components/schemas/Missing"}) == (None, "/components/schemas/Missing")
    node, pointer = oas.follow(DOCUMENT, {"$ref": "#/components/schemas/Loop"})
    assert pointer == "/components/schemas/Loop" and oas.is_internal_ref(node)


def test_dangling_ref_names_where_the_first_broken_ref_is() -> None:
    assert oas.dangling_ref(DOCUMENT) is None
    broken = {**DOCUMENT, "extra": {"a~b": [{"$ref": "#/components/schemas/Gone"}]}}
    assert oas.dangling_ref(broken) == ("#/extra/a~0b/0", "#/components/schemas/Gone")


def test_operations_are_the_methods_of_each_path_item_and_nothing_else() -> None:
    found = [(path, method, operation["operationId"]) for path, method, operation in oas.operations(DOCUMENT)]
    assert found == [("/a/{id}", "get", "getA"), ("/a/{id}", "delete", "deleteA"), ("/b", "post", "makeB")]
    assert list(oas.operations({})) == []
