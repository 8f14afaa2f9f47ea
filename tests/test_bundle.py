"""kit.bundle: the split source spec becomes one document whose references are all internal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from kit.bundle import ENTRY as ENTRY_FILE
from kit.bundle import SpecError, bundle


def write(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    return folder / "entry.yaml"


ENTRY = """openapi: 3.1.0
info: {title: t, version: "1"}
paths: {}
components:
  schemas:
    Listed:
      $ref: parts/a.yaml#/Listed
"""


def test_the_real_spec_bundles_with_only_internal_refs() -> None:
    text = json.dumps(bundle())
    assert '"$ref": "#/components/' in text
    assert text.count('"$ref"') == text.count('"$ref": "#/')


def test_listed_components_are_hoisted_and_refs_to_them_rewritten(tmp_path: Path) -> None:
    entry = write(
        tmp_path,
        {
            "entry.yaml": ENTRY + "    User:\n      $ref: parts/a.yaml#/User\n",
            "parts/a.yaml": "Listed:\n  properties:\n    user: {$ref: '#/User'}\nUser: {type: string}\n",
        },
    )
    document = bundle(entry)
    assert document["components"]["schemas"]["Listed"]["properties"]["user"] == {"$ref": "#/components/schemas/User"}
    assert document["components"]["schemas"]["User"] == {"type": "string"}


def test_unlisted_external_targets_are_inlined(tmp_path: Path) -> None:
    entry = write(
        tmp_path,
        {
            "entry.yaml": ENTRY,
            "parts/a.yaml": "Listed:\n  properties:\n    n: {$ref: 'b.json#/Number'}\n",
            "parts/b.json": '{"Number": {"type": "integer", "format": "int64"}}',
        },
    )
    assert bundle(entry)["components"]["schemas"]["Listed"]["properties"]["n"] == {"type": "integer", "format": "int64"}


def test_input_files_are_not_modified(tmp_path: Path) -> None:
    entry = write(tmp_path, {"entry.yaml": ENTRY, "parts/a.yaml": "Listed: {type: string}\n"})
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    bundle(entry)
    assert before == {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"entry.yaml": ENTRY}, "parts/a.yaml: no such file"),
        ({"entry.yaml": ENTRY, "parts/a.yaml": "Other: {}\n"}, "$ref target"),
        ({"entry.yaml": ENTRY, "parts/a.yaml": "Listed: [\n"}, "parts/a.yaml:2:1: invalid YAML"),
        ({"entry.yaml": ENTRY, "parts/a.yaml": "Listed: {$ref: 'http://example.com/x.yaml#/X'}\n"}, "remote $ref"),
        (
            {
                "entry.yaml": ENTRY,
                "parts/a.yaml": "Listed: {properties: {a: {$ref: '#/Loop'}}}\nLoop: {items: {$ref: '#/Loop'}}\n",
            },
            "recursive $ref must be listed",
        ),
    ],
    ids=["missing file", "missing pointer", "invalid yaml", "remote ref", "unlisted recursion"],
)
def test_unresolvable_input_is_one_line_naming_the_file(tmp_path: Path, files: dict[str, str], message: str) -> None:
    with pytest.raises(SpecError) as raised:
        bundle(write(tmp_path, files))
    text = str(raised.value)
    assert message in text
    assert "\n" not in text


def test_a_bad_ref_names_the_file_and_pointer_of_the_ref(tmp_path: Path) -> None:
    entry = write(tmp_path, {"entry.yaml": ENTRY, "parts/a.yaml": "Listed:\n  items:\n    $ref: '#/Nope'\n"})
    with pytest.raises(SpecError, match=r"parts/a.yaml#/Listed/items/\$ref: \$ref target .*#/Nope does not exist"):
        bundle(entry)


def test_a_second_bundle_of_unchanged_sources_is_an_equal_copy_and_an_edit_is_seen(tmp_path: Path) -> None:
    entry = write(
        tmp_path, {"entry.yaml": ENTRY, "parts/a.yaml": "Listed: {type: object, properties: {a: {type: string}}}\n"}
    )
    first = bundle(entry)
    second = bundle(entry)
    assert second == first and second is not first
    second["components"]["schemas"]["Listed"]["type"] = "changed by a caller"
    assert bundle(entry)["components"]["schemas"]["Listed"]["type"] == "object"  # the kept document is untouched
    # An edit of a referenced file, even one that keeps its size, is read again.
    (tmp_path / "parts" / "a.yaml").write_text("Listed: {type: object, properties: {b: {type: string}}}\n")
    assert set(bundle(entry)["components"]["schemas"]["Listed"]["properties"]) == {"b"}


def test_every_path_of_the_entry_file_lives_in_a_file_of_its_resource() -> None:
    entry = yaml.safe_load(ENTRY_FILE.read_text(encoding="utf-8"))
    assert len(entry["paths"]) >= 20
    for path, item in entry["paths"].items():
        assert list(item) == ["$ref"] and item["$ref"].startswith("paths/"), f"{path} is written inline"
        assert (ENTRY_FILE.parent / item["$ref"].split("#", 1)[0]).is_file(), item["$ref"]
